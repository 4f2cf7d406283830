package org.pathways.learner.linking;

import jakarta.validation.constraints.NotBlank;
import org.pathways.platform.validation.ResourceId;

/** {@code POST /api/learners/{id}/links}: this record and that one are the same person. */
public record LinkLearner(@NotBlank @ResourceId String otherLearnerId) {
}
