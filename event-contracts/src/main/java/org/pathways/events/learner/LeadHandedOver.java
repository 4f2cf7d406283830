package org.pathways.events.learner;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * The named worker accepted a handover: from {@code handedOverAt} the learner's lead is {@code toWorkerId} of
 * {@code toAgencyId}, no longer {@code fromWorkerId} of {@code fromAgencyId}. Offering, declining or cancelling a
 * handover publishes nothing: until it is accepted the old lead stays.
 */
public record LeadHandedOver(String learnerId, String fromAgencyId, String fromWorkerId, String toAgencyId,
                             String toWorkerId, Instant handedOverAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
