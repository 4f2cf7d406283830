package org.pathways.catalogue.opportunity;

import java.util.Set;

/**
 * A domain event inside this instance: the stored opportunities {@code opportunityIds} have just changed, in one
 * batch of work (a poll of referral events). As {@link OpportunityChanged}, once for the batch, so that a listener
 * reads them all at once rather than one by one.
 */
public record OpportunitiesChanged(Set<String> opportunityIds) {

    public OpportunitiesChanged {
        opportunityIds = Set.copyOf(opportunityIds);
    }
}
