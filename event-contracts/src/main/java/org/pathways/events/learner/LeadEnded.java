package org.pathways.events.learner;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/** A learner's lead worker stopped being their lead, and nobody took over; the learner has no lead from {@code endedAt}. */
public record LeadEnded(String learnerId, String agencyId, String workerId, LeadEndReason reason, Instant endedAt)
        implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
