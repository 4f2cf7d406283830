package org.pathways.events.referral;

import java.time.Instant;

/** The learner started with the receiving agency. */
public record ReferralStarted(String referralId, String learnerId, String opportunityId, String referringAgencyId,
        String receivingAgencyId, ReferralStatus status, ReferralReason reason, String actingAgencyId, Instant at)
        implements ReferralTransitioned {
}
