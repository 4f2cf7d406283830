package org.pathways.events.opportunity;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * A published opportunity changed (its details, or its status to FULL, ENDED...). Codes only: what changed in the
 * text is read through the catalogue's API. {@code status} is PUBLISHED, FULL, WITHDRAWN or ENDED.
 */
public record OpportunityUpdated(String opportunityId, String providerAgencyId, OpportunityKind kind, String level,
                                 Integer capacity, int placesTaken, String status, Instant updatedAt)
        implements PathwaysEvent {
    @Override
    public String subject() {
        return opportunityId;
    }
}
