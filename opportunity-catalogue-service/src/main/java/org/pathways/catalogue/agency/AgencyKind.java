package org.pathways.catalogue.agency;

/** What sort of organisation an agency is. */
public enum AgencyKind {
    COLLEGE, SCHOOL, COUNCIL, JOB_CENTRE, HEALTH, HOUSING, LIBRARY, COMMUNITY_GROUP, OTHER
}
