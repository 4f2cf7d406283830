package org.pathways.events.agency;

/** What kind of organisation an agency is; consent can be given to every agency of one kind. */
public enum AgencyKind {
    COLLEGE, SCHOOL, COUNCIL, JOB_CENTRE, HEALTH, HOUSING, LIBRARY, COMMUNITY_GROUP, OTHER
}
