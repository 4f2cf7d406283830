package org.pathways.events.referral;

import java.time.Instant;

/** The learner did not start or left early. */
public record ReferralFailed(String referralId, String learnerId, String opportunityId, String referringAgencyId,
        String receivingAgencyId, ReferralStatus status, ReferralReason reason, String actingAgencyId, Instant at)
        implements ReferralTransitioned {
}
