package org.pathways.events.opportunity;

import java.time.Instant;
import java.util.List;

import org.pathways.events.PathwaysEvent;

/**
 * A published opportunity changed (its details, its onward routes, or its status to FULL, ENDED...). Codes only: what
 * changed in the text is read through the catalogue's API. {@code status} is PUBLISHED, FULL, WITHDRAWN or ENDED;
 * {@code leadsTo} is the current list of onward routes (never null).
 */
public record OpportunityUpdated(String opportunityId, String providerAgencyId, OpportunityKind kind, String level,
                                 Integer capacity, int placesTaken, String status, Instant updatedAt,
                                 List<String> leadsTo) implements PathwaysEvent {

    public OpportunityUpdated {
        leadsTo = leadsTo == null ? List.of() : List.copyOf(leadsTo);
    }


    @Override
    public String subject() {
        return opportunityId;
    }
}
