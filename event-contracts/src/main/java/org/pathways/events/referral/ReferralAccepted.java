package org.pathways.events.referral;

import java.time.Instant;

/** The receiving agency accepted a referral. */
public record ReferralAccepted(String referralId, String learnerId, String opportunityId, String referringAgencyId,
        String receivingAgencyId, ReferralStatus status, ReferralReason reason, String actingAgencyId, Instant at)
        implements ReferralTransitioned {
}
