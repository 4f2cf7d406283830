package org.pathways.learner.linking;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/** {@code POST /api/learners/{id}/links}: this record and that one are the same person. */
public record LinkLearner(@NotBlank @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}") String otherLearnerId) {
}
