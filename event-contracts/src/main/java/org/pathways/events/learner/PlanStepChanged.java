package org.pathways.events.learner;

import java.time.Instant;
import java.time.LocalDate;

import org.pathways.events.PathwaysEvent;

/**
 * A step of a learner's shared plan changed (its status, owner, due date or title). Carries the step as it is now
 * and the status it had before ({@code status == previousStatus} when something else changed); a change that
 * changes nothing publishes nothing.
 *
 * @param ownerAgencyId     the owner now (a step may be handed to another agency)
 * @param dueOn             when it is due now, or null
 * @param changedByAgencyId the agency whose worker changed it: the owner or the lead's agency
 */
public record PlanStepChanged(String learnerId, String stepId, String ownerAgencyId, PlanStepStatus status,
                              PlanStepStatus previousStatus, LocalDate dueOn, String changedByAgencyId,
                              Instant changedAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
