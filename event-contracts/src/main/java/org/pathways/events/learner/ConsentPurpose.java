package org.pathways.events.learner;

/** What a learner agreed to: each purpose is consented to (and withdrawn) separately. */
public enum ConsentPurpose {
    /** Share a referral summary with the receiving agency. */
    REFERRAL_SHARING,
    /** Be contacted by the agency. */
    CONTACT,
    /** Share outcomes and progression with the referring agency. */
    OUTCOME_SHARING
}
