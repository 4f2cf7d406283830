package org.pathways.catalogue.opportunity;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.pathways.catalogue.agency.AgencyContact;
import org.pathways.events.opportunity.OpportunityKind;

/**
 * An opportunity as the API shows it. Which referrals hold its places is the referral-service's business.
 * {@code revision} counts people's changes (the {@code ETag} an edit sends back); {@code version} every write, places
 * included.
 */
public record OpportunityView(String id, String providerAgencyId, String title, String description,
                              OpportunityKind kind, String level, Integer capacity, int placesTaken,
                              Integer placesLeft, boolean waitlistOpen, OpportunityStatus status,
                              List<String> terms, DeliveryMode mode, List<Venue> venues, Schedule schedule,
                              Integer costPence, String costCurrency, boolean free, Set<FreeFor> freeFor, Eligibility eligibility,
                              Set<AccessibilityFeature> accessibility, Set<String> languages, List<String> leadsTo,
                              String url, String email, String phone, List<AgencyContact> contacts,
                              String feesDescription,
                              Instant createdAt, Instant publishedAt, Instant updatedAt, Instant withdrawnAt,
                              Instant endedAt, Long version, long revision) {

    public static OpportunityView of(Opportunity o) {
        return new OpportunityView(o.id(), o.providerAgencyId(), o.title(), o.description(), o.kind(), o.level(),
                o.capacity(), o.placesTaken(), o.placesLeft(), o.waitlistOpen(), o.status(), o.terms(), o.mode(),
                o.venues(), o.schedule(), o.costPence(), o.costCurrency(), o.isFree(), o.freeFor(), o.eligibility(), o.accessibility(),
                o.languages(), o.leadsTo(), o.url(), o.email(), o.phone(), o.contacts(), o.feesDescription(),
                o.createdAt(), o.publishedAt(), o.updatedAt(), o.withdrawnAt(),
                o.endedAt(), o.version(), o.revision());
    }
}
