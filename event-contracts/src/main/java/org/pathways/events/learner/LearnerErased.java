package org.pathways.events.learner;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * A learner's personal data was erased at their request (right to erasure). Every service that holds anything
 * about this learner id (snapshots, delivery logs, read models) must erase or pseudonymise it.
 */
public record LearnerErased(String learnerId, String registeringAgencyId, Instant erasedAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
