package org.pathways.events.opportunity;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * An opportunity is open to referrals. {@code level} is a code ("E1".."E3", "L1".."L8") or null where no level
 * applies; {@code capacity} is null when places are not limited.
 */
public record OpportunityPublished(String opportunityId, String providerAgencyId, OpportunityKind kind, String level,
                                   Integer capacity, int placesTaken, Instant publishedAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return opportunityId;
    }
}
