package org.pathways.catalogue.opportunity;

import java.time.Instant;

import org.pathways.events.opportunity.OpportunityKind;

/** An opportunity as the API shows it. */
public record OpportunityView(String id, String providerAgencyId, String title, String description,
                              OpportunityKind kind, String level, Integer capacity, int placesTaken,
                              Integer placesLeft, OpportunityStatus status, Instant createdAt, Instant publishedAt,
                              Instant withdrawnAt, Long version) {

    public static OpportunityView of(Opportunity opportunity) {
        return new OpportunityView(opportunity.id(), opportunity.providerAgencyId(), opportunity.title(),
                opportunity.description(), opportunity.kind(), opportunity.level(), opportunity.capacity(),
                opportunity.placesTaken(), opportunity.placesLeft(), opportunity.status(), opportunity.createdAt(),
                opportunity.publishedAt(), opportunity.withdrawnAt(), opportunity.version());
    }
}
