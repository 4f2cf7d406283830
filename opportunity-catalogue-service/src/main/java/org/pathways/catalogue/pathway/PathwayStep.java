package org.pathways.catalogue.pathway;

import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.events.opportunity.OpportunityKind;

/** One opportunity along a route, in brief. */
public record PathwayStep(String id, String title, String providerAgencyId, OpportunityKind kind, String level,
                          OpportunityStatus status) {

    static PathwayStep of(Opportunity o) {
        return new PathwayStep(o.id(), o.title(), o.providerAgencyId(), o.kind(), o.level(), o.status());
    }
}
