package org.pathways.referral.submission;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.Urgency;
import org.pathways.referral.lifecycle.ReferralAction;

/**
 * A referral as the API shows it. The worker's free-text need and the history (with its reasons' text) are shown
 * only to the two agencies party to it, with what the caller may do next; coordinators see the metadata without
 * them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReferralView(String id, Long version, String learnerId, String opportunityId, String referringAgencyId,
                           String receivingAgencyId, String need, Urgency urgency, ReferralStatus status,
                           Instant submittedAt, Instant acknowledgeBy, Instant decideBy, String previousReferralId,
                           String nextReferralId, List<ReferralAction> allowedActions,
                           List<Referral.StatusChange> history, List<String> warnings) {

    public static ReferralView forParty(Referral referral, List<ReferralAction> allowedActions,
                                        List<String> warnings) {
        return new ReferralView(referral.id(), referral.version(), referral.learnerId(), referral.opportunityId(),
                referral.referringAgencyId(), referral.receivingAgencyId(), referral.need(), referral.urgency(),
                referral.status(), referral.submittedAt(), referral.acknowledgeBy(), referral.decideBy(),
                referral.previousReferralId(), referral.nextReferralId(), allowedActions, referral.history(),
                warnings.isEmpty() ? null : warnings);
    }

    public static ReferralView forCoordinator(Referral referral) {
        return new ReferralView(referral.id(), referral.version(), null, referral.opportunityId(),
                referral.referringAgencyId(), referral.receivingAgencyId(), null, referral.urgency(),
                referral.status(), referral.submittedAt(), referral.acknowledgeBy(), referral.decideBy(),
                referral.previousReferralId(), referral.nextReferralId(), null, null, null);
    }
}
