package org.pathways.learner.plan;

import java.time.LocalDate;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.events.learner.PlanStepStatus;
import org.pathways.platform.validation.ResourceId;

/** {@code PATCH /api/learners/{id}/plan/steps/{stepId}}: only the fields sent change (null: unchanged). */
public record ChangePlanStep(
        @Size(min = 1, max = 200) @Pattern(regexp = PlanText.TITLE) String title,
        PlanStepStatus status,
        LocalDate dueOn,
        @ResourceId String ownerAgencyId) {

    @AssertTrue(message = "send at least one of title, status, dueOn, ownerAgencyId")
    boolean isAnythingSent() {
        return title != null || status != null || dueOn != null || ownerAgencyId != null;
    }
}
