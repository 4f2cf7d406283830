package org.pathways.learner.plan;

import java.time.LocalDate;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.events.learner.PlanStepStatus;
import org.pathways.platform.validation.ResourceId;

/**
 * {@code POST /api/learners/{id}/plan/steps}: a new step. {@code ownerAgencyId} defaults to the caller's agency and
 * must be in the learner's team; {@code status} defaults to {@code PLANNED}.
 */
public record AddPlanStep(
        @NotNull @Size(min = 1, max = 200) @Pattern(regexp = PlanText.TITLE) String title,
        @ResourceId String ownerAgencyId,
        LocalDate dueOn,
        PlanStepStatus status,
        @ResourceId String referralId,
        @ResourceId String opportunityId) {
}
