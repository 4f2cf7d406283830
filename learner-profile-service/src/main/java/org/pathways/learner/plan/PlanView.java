package org.pathways.learner.plan;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import org.pathways.events.learner.PlanStepStatus;

/**
 * {@code GET /api/learners/{id}/plan}, as one agency may see it: {@code goals} from the profile (null unless the
 * agency may see them there), and only the steps it may see.
 *
 * @param version the plan's version, also its {@code ETag}: send it as {@code If-Match} to change the plan
 */
public record PlanView(String learnerId, long version, String goals, List<StepView> steps) {

    /** @param overdue still open after its due date */
    public record StepView(String stepId, String title, String ownerAgencyId, LocalDate dueOn, PlanStepStatus status,
                           String referralId, String opportunityId, String createdByAgencyId, Instant createdAt,
                           Instant updatedAt, boolean overdue) {

        static StepView of(PlanStep step, LocalDate today) {
            return new StepView(step.id(), step.title(), step.ownerAgencyId(), step.dueOn(), step.status(),
                    step.referralId(), step.opportunityId(), step.createdByAgencyId(), step.createdAt(),
                    step.updatedAt(), step.isOverdueOn(today));
        }
    }
}
