package org.pathways.events.learner;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * A worker of {@code agencyId} found {@code learnerId} and {@code linkedLearnerId} to be records of the same person.
 * A link never merges and opens neither record to anyone; it is published on both records (once with each as
 * {@code learnerId}).
 */
public record LearnerLinked(String learnerId, String linkedLearnerId, String agencyId, Instant linkedAt)
        implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
