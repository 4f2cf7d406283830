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
    FIND_LEARNER,
    /** The learner's lead worker (and any handover waiting) was answered. */
    READ_LEAD,
    /** The lead was assigned, handed over or stepped down from (the answer shows the lead). */
    CHANGE_LEAD,
    /** The learner's shared plan (goals and the steps the agency may see) was answered. */
    READ_PLAN,
    /** A plan step was added or changed (the answer shows the plan); written before the change is saved. */
    CHANGE_PLAN,
    /** The team around the learner was answered. */
    READ_TEAM,
    /**
     * An agency that sees the learner asked about another agency's consents, which only the registering agency may
     * (403 {@code consent-check-not-permitted}): nothing was disclosed, but the registering agency can see who asked.
     */
    CONSENT_CHECK_REFUSED
}
