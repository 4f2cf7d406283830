package org.pathways.referral.inbox;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.Urgency;
import org.pathways.referral.domain.Referral;

/**
 * One line of an agency's inbox or outbox (the need, shared summary and notes are read on the referral itself;
 * {@code erasedAt} says the learner's personal data was erased from it).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InboxItem(String id, Long version, String learnerId, String opportunityId, String referringAgencyId,
                        String receivingAgencyId, ReferralStatus status, Urgency urgency, Instant submittedAt,
                        Instant acknowledgeBy, Instant decideBy, boolean overdue, Instant erasedAt) {

    static InboxItem of(Referral referral, Instant now) {
        return new InboxItem(referral.id(), referral.version(), referral.learnerId(), referral.opportunityId(),
                referral.referringAgencyId(), referral.receivingAgencyId(), referral.status(), referral.urgency(),
                referral.submittedAt(), referral.acknowledgeBy(), referral.decideBy(), referral.overdueAt(now),
                referral.erasedAt());
    }
}
