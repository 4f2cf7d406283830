package org.pathways.learner.lead;

import java.time.Instant;

/**
 * {@code GET /api/learners/{id}/lead}: the lead (null when there is none) and the handover waiting (null when none).
 * Ids only: the service keeps no worker names.
 */
public record LeadView(String learnerId, LeadPart lead, HandoverPart pendingHandover) {

    public record LeadPart(String agencyId, String workerId, Instant since) {
    }

    public record HandoverPart(String fromAgencyId, String fromWorkerId, String toAgencyId, String toWorkerId,
                               Instant offeredAt) {
    }

    public static LeadView of(LearnerLead state) {
        LeadPart lead = state.lead().map(l -> new LeadPart(l.agencyId(), l.workerId(), l.since())).orElse(null);
        HandoverPart handover = state.handover().map(h -> new HandoverPart(lead == null ? null : lead.agencyId(),
                lead == null ? null : lead.workerId(), h.toAgencyId(), h.toWorkerId(), h.offeredAt())).orElse(null);
        return new LeadView(state.learnerId(), lead, handover);
    }
}
