package org.pathways.learner.milestone;

import java.time.Instant;
import java.time.LocalDate;

import org.pathways.events.learner.LearningKind;
import org.pathways.events.learner.Level;
import org.pathways.learner.domain.Milestone;
import org.pathways.learner.domain.MilestoneKind;

/** A milestone as the API shows it; {@code source} says whether a worker or a referral event recorded it. */
public record MilestoneView(String id, MilestoneKind kind, LocalDate occurredOn, LearningKind learningKind,
                            Level level, Boolean accredited, String title, String referralId, String opportunityId,
                            String recordedByAgencyId, String source, Instant recordedAt) {

    static MilestoneView of(Milestone milestone) {
        return new MilestoneView(milestone.id(), milestone.kind(), milestone.occurredOn(), milestone.learningKind(),
                milestone.level(), milestone.accredited(), milestone.title(), milestone.referralId(),
                milestone.opportunityId(), milestone.recordedByAgencyId(),
                milestone.sourceEventId() == null ? "WORKER" : "REFERRAL_EVENT", milestone.recordedAt());
    }
}
