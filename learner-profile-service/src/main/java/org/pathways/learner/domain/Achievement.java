package org.pathways.learner.domain;

import java.time.LocalDate;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PastOrPresent;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.events.learner.LearningKind;
import org.pathways.events.learner.Level;

/**
 * Something the learner achieved before, in any kind of learning: "first aid at the community centre"
 * (non-formal), "ran the food bank rota" (informal), "GCSE English" (formal, level 2).
 *
 * @param accredited an accredited qualification (formal learning only)
 */
public record Achievement(
        @NotBlank @Size(max = 200) @Pattern(regexp = LearnerText.NO_CONTROL_CHARACTERS) String title,
        @NotNull LearningKind kind,
        Level level,
        @PastOrPresent LocalDate achievedOn,
        Boolean accredited) {

    public Achievement {
        title = title == null ? null : title.strip();
        accredited = Boolean.TRUE.equals(accredited);
    }

    /** Only formal learning leads to an accredited qualification. */
    void requireConsistent() {
        if (accredited && kind != LearningKind.FORMAL) {
            throw org.pathways.platform.problem.ProblemException.unprocessable("accredited-needs-formal-learning",
                    "Only formal learning is accredited; record non-formal learning as recognised, not accredited.");
        }
    }
}
