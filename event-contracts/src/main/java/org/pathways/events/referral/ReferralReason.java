package org.pathways.events.referral;

/**
 * Why a referral changed status: a code, never free text (any explanation stays in the referral-service).
 * Rejection: NOT_ELIGIBLE .. OTHER; failure: DID_NOT_START, LEFT_EARLY; hold (optional): WAITLISTED; set by the
 * platform: CONSENT_WITHDRAWN, REROUTED.
 */
public enum ReferralReason {
    NOT_ELIGIBLE, NO_CAPACITY, COULD_NOT_CONTACT, LEARNER_DECLINED, DUPLICATE, OTHER,
    DID_NOT_START, LEFT_EARLY,
    WAITLISTED,
    CONSENT_WITHDRAWN, REROUTED
}
