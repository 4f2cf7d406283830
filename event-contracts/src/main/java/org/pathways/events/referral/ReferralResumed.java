package org.pathways.events.referral;

import java.time.Instant;

/** A referral on hold resumed. */
public record ReferralResumed(String referralId, String learnerId, String opportunityId, String referringAgencyId,
        String receivingAgencyId, ReferralStatus status, ReferralReason reason, String actingAgencyId, Instant at)
        implements ReferralTransitioned {
}
