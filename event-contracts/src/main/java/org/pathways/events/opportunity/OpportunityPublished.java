package org.pathways.events.opportunity;

import java.time.Instant;
import java.util.List;

import org.pathways.events.PathwaysEvent;

/**
 * An opportunity is open to referrals. {@code level} is a code ("E1".."E3", "L1".."L8") or null where no level
 * applies; {@code capacity} is null when places are not limited; {@code leadsTo} lists the opportunities it is a
 * progression route on to (never null).
 */
public record OpportunityPublished(String opportunityId, String providerAgencyId, OpportunityKind kind, String level,
                                   Integer capacity, int placesTaken, Instant publishedAt, List<String> leadsTo)
        implements PathwaysEvent {

    public OpportunityPublished {
        leadsTo = leadsTo == null ? List.of() : List.copyOf(leadsTo);
    }

    /** An opportunity with no onward routes. */
    public OpportunityPublished(String opportunityId, String providerAgencyId, OpportunityKind kind, String level,
                                Integer capacity, int placesTaken, Instant publishedAt) {
        this(opportunityId, providerAgencyId, kind, level, capacity, placesTaken, publishedAt, List.of());
    }

    @Override
    public String subject() {
        return opportunityId;
    }
}
