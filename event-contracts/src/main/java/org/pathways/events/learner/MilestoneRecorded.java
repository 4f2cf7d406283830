package org.pathways.events.learner;

import java.time.Instant;
import java.time.LocalDate;

import org.pathways.events.PathwaysEvent;

/**
 * A step on a learner's progression timeline was recorded, by a worker or from a referral event. Codes and dates
 * only: an achievement's title stays in the learner-profile-service.
 *
 * @param milestone    the kind of step, e.g. {@code ENROLLED}, {@code ACHIEVEMENT_GAINED}
 * @param learningKind for an achievement: {@code INFORMAL}, {@code NON_FORMAL} or {@code FORMAL}
 * @param level        for an achievement where one applies: {@code E1}–{@code E3}, {@code L1}–{@code L8}
 * @param accredited   for an achievement: an accredited qualification (true) or recognised learning (false)
 * @param referralId   the referral it came from, when it was recorded from a referral event
 */
public record MilestoneRecorded(String learnerId, String milestoneId, String milestone, LocalDate occurredOn,
                                String recordedByAgencyId, String learningKind, String level, Boolean accredited,
                                String referralId, String opportunityId, Instant recordedAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
