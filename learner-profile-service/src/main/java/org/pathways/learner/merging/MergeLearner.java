package org.pathways.learner.merging;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/** {@code POST /api/learners/{id}/merge}: fold that record (same person, same registering agency) into this one. */
public record MergeLearner(@NotBlank @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}") String otherLearnerId) {
}
