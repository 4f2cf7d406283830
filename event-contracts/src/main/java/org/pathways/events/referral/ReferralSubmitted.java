package org.pathways.events.referral;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * A worker referred a learner to an opportunity at another agency. The need in the worker's words and the shared
 * summary stay in the referral-service and are read through its API. {@code previousReferralId} links the referral
 * this one follows on from (a re-routed one, or a completed one whose next step this is), null for a first referral.
 */
public record ReferralSubmitted(String referralId, String learnerId, String opportunityId, String referringAgencyId,
                                String receivingAgencyId, Urgency urgency, Instant submittedAt,
                                String previousReferralId) implements PathwaysEvent {

    /** A first referral, following on from none. */
    public ReferralSubmitted(String referralId, String learnerId, String opportunityId, String referringAgencyId,
                             String receivingAgencyId, Urgency urgency, Instant submittedAt) {
        this(referralId, learnerId, opportunityId, referringAgencyId, receivingAgencyId, urgency, submittedAt, null);
    }

    @Override
    public String subject() {
        return referralId;
    }
}
