package org.pathways.learner.audit;

/** What was read (or disclosed). */
public enum AccessAction {
    READ_PROFILE,
    UPDATE_PROFILE,
    READ_MILESTONES,
    CHECK_CONSENT,
    /** Another registration matched this learner, and the registering worker was told the record exists. */
    DUPLICATE_MATCH,
    /** The learner's agency was shown an incoming request from another agency to link this record. */
    READ_LINK_REQUEST,
    /** The learner was among the results of a search by the agency (what it may see of them was answered). */
    FIND_LEARNER
}
