package org.pathways.referral.rerouting;

import java.time.Instant;

import org.pathways.events.referral.ReferralStatus;
import org.pathways.referral.domain.Referral;

/** One referral of a person's journey: where it went and how it ended, without the need or the notes. */
public record ChainLink(String id, String opportunityId, String referringAgencyId, String receivingAgencyId,
                        ReferralStatus status, Instant submittedAt, String previousReferralId,
                        String nextReferralId) {

    /** This link, naming the referrals before and after it only when they are among {@code shown}. */
    ChainLink naming(java.util.Set<String> shown) {
        return new ChainLink(id, opportunityId, referringAgencyId, receivingAgencyId, status, submittedAt,
                shown.contains(previousReferralId) ? previousReferralId : null,
                shown.contains(nextReferralId) ? nextReferralId : null);
    }

    static ChainLink of(Referral referral) {
        return new ChainLink(referral.id(), referral.opportunityId(), referral.referringAgencyId(),
                referral.receivingAgencyId(), referral.status(), referral.submittedAt(),
                referral.previousReferralId(), referral.nextReferralId());
    }
}
