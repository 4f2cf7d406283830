package org.pathways.learner.milestone;

import java.time.LocalDate;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.events.learner.LearningKind;
import org.pathways.events.learner.Level;
import org.pathways.learner.domain.Milestone;
import org.pathways.learner.domain.MilestoneKind;
import org.pathways.platform.validation.ResourceId;

/**
 * What a worker records on a learner's timeline. {@code learningKind}, {@code level}, {@code accredited} and
 * {@code title} belong to {@code ACHIEVEMENT_GAINED} only.
 */
public record RecordMilestone(
        @NotNull MilestoneKind kind,
        @NotNull LocalDate occurredOn,
        LearningKind learningKind,
        Level level,
        Boolean accredited,
        @Size(min = 1, max = 200) @Pattern(regexp = "\\p{Zs}*[^\\p{Cntrl}\\s][^\\p{Cntrl}]*") String title,
        @ResourceId String opportunityId) {

    Milestone.Details details() {
        return new Milestone.Details(kind, occurredOn, learningKind, level, accredited,
                title == null ? null : title.strip(), null, opportunityId);
    }
}
