package org.pathways.events.learner;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * Two records of one person were merged by the agency that registered both: {@code learnerId} is retired (kept,
 * read-only, with its history) and {@code survivingLearnerId} carries the person on. Consumers keyed by learner id
 * treat the retired id as an alias of the surviving one.
 */
public record LearnerMerged(String learnerId, String survivingLearnerId, String registeringAgencyId, Instant mergedAt)
        implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
