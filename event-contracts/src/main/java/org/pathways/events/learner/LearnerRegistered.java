package org.pathways.events.learner;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * A worker registered a learner. The locality is the partnership's coarse area code (a postcode district or
 * neighbourhood), never an address.
 */
public record LearnerRegistered(String learnerId, String registeringAgencyId, String localityCode,
                                Instant registeredAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
