package org.pathways.learner.merging;

import jakarta.validation.constraints.NotBlank;
import org.pathways.platform.validation.ResourceId;

/** {@code POST /api/learners/{id}/merge}: fold that record (same person, same registering agency) into this one. */
public record MergeLearner(@NotBlank @ResourceId String otherLearnerId) {
}
