package org.pathways.events.referral;

import java.time.Instant;

/** The receiving agency acknowledged a referral. */
public record ReferralReceived(String referralId, String learnerId, String opportunityId, String referringAgencyId,
        String receivingAgencyId, ReferralStatus status, ReferralReason reason, String actingAgencyId, Instant at)
        implements ReferralTransitioned {
}
