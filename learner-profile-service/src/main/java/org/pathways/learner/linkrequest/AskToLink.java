package org.pathways.learner.linkrequest;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.pathways.learner.matching.DuplicateMatches;

/** The match token a {@code possible-duplicate} answer gave for a record the caller may not see. */
record AskToLink(@NotNull @Pattern(regexp = DuplicateMatches.TOKEN_PATTERN) String matchToken) {
}
