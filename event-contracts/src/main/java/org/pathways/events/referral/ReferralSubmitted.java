package org.pathways.events.referral;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * A worker referred a learner to an opportunity at another agency. The need in the worker's words and the shared
 * summary stay in the referral-service and are read through its API.
 */
public record ReferralSubmitted(String referralId, String learnerId, String opportunityId, String referringAgencyId,
                                String receivingAgencyId, Urgency urgency, Instant submittedAt)
        implements PathwaysEvent {
    @Override
    public String subject() {
        return referralId;
    }
}
