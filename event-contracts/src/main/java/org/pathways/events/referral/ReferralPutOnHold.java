package org.pathways.events.referral;

import java.time.Instant;

/** A referral was put on hold (by the receiving agency, or because consent was withdrawn). */
public record ReferralPutOnHold(String referralId, String learnerId, String opportunityId, String referringAgencyId,
        String receivingAgencyId, ReferralStatus status, ReferralReason reason, String actingAgencyId, Instant at)
        implements ReferralTransitioned {
}
