package org.pathways.events.referral;

import java.time.Instant;

/** The receiving agency rejected a referral, with a coded reason. */
public record ReferralRejected(String referralId, String learnerId, String opportunityId, String referringAgencyId,
        String receivingAgencyId, ReferralStatus status, ReferralReason reason, String actingAgencyId, Instant at)
        implements ReferralTransitioned {
}
