package org.pathways.events.opportunity;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/** An opportunity no longer takes referrals. */
public record OpportunityWithdrawn(String opportunityId, String providerAgencyId, Instant withdrawnAt)
        implements PathwaysEvent {
    @Override
    public String subject() {
        return opportunityId;
    }
}
