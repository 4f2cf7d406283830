package org.pathways.learner.audit;

/** Why a worker reads a learner's data, sent as the {@code X-Access-Purpose} header ({@code CASE_WORK} if absent). */
public enum AccessPurpose {
    /** Working with the learner: advice, planning, support. */
    CASE_WORK,
    /** Making or answering a referral. */
    REFERRAL,
    /** Contacting the learner. */
    CONTACT,
    /** Recording or reporting outcomes and progression. */
    OUTCOME_REPORTING,
    /** Answering the learner's own request to see or correct their data. */
    SUBJECT_ACCESS_REQUEST
}
