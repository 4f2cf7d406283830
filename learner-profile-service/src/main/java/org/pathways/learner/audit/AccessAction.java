package org.pathways.learner.audit;

/** What was read (or disclosed). */
public enum AccessAction {
    READ_PROFILE,
    UPDATE_PROFILE,
    READ_MILESTONES,
    CHECK_CONSENT,
    /** Another registration matched this learner, and the registering worker was told the record exists. */
    DUPLICATE_MATCH
}
