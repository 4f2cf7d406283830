package org.pathways.events.referral;

import java.time.Instant;

/** A referral was cancelled (by the referrer, because consent was withdrawn, or re-routed). */
public record ReferralCancelled(String referralId, String learnerId, String opportunityId, String referringAgencyId,
        String receivingAgencyId, ReferralStatus status, ReferralReason reason, String actingAgencyId, Instant at)
        implements ReferralTransitioned {
}
