package org.pathways.events.referral;

import java.time.Instant;

/** The learner completed what they were referred to. */
public record ReferralCompleted(String referralId, String learnerId, String opportunityId, String referringAgencyId,
        String receivingAgencyId, ReferralStatus status, ReferralReason reason, String actingAgencyId, Instant at)
        implements ReferralTransitioned {
}
