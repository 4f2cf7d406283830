package org.pathways.events.learner;

import java.time.Instant;
import java.time.LocalDate;

import org.pathways.events.PathwaysEvent;

/**
 * A step was added to a learner's shared plan. The step's title stays in the learner-profile-service.
 *
 * @param ownerAgencyId   the agency that owns (carries out) the step
 * @param dueOn           when it is due, or null
 * @param referralId      the referral it is about, or null
 * @param opportunityId   the opportunity it is about, or null
 * @param addedByAgencyId the agency whose worker added it
 */
public record PlanStepAdded(String learnerId, String stepId, String ownerAgencyId, PlanStepStatus status,
                            LocalDate dueOn, String referralId, String opportunityId, String addedByAgencyId,
                            Instant addedAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
