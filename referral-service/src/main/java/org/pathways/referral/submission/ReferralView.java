package org.pathways.referral.submission;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.pathways.events.referral.Urgency;

/**
 * A referral as the API shows it. The worker's free-text need is shown only to the two agencies party to it;
 * coordinators see the metadata without it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReferralView(String id, Long version, String learnerId, String opportunityId, String referringAgencyId,
                           String receivingAgencyId, String need, Urgency urgency, ReferralStatus status,
                           Instant submittedAt, List<Referral.StatusChange> history, List<String> warnings) {

    static ReferralView forParty(Referral referral, List<String> warnings) {
        return new ReferralView(referral.id(), referral.version(), referral.learnerId(), referral.opportunityId(),
                referral.referringAgencyId(), referral.receivingAgencyId(), referral.need(), referral.urgency(),
                referral.status(), referral.submittedAt(), referral.history(), warnings.isEmpty() ? null : warnings);
    }

    static ReferralView forCoordinator(Referral referral) {
        return new ReferralView(referral.id(), referral.version(), null, referral.opportunityId(),
                referral.referringAgencyId(), referral.receivingAgencyId(), null, referral.urgency(),
                referral.status(), referral.submittedAt(), null, null);
    }
}
