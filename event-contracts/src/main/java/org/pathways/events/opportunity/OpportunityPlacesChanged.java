package org.pathways.events.opportunity;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * The places taken on an opportunity changed because a referral took or released one ({@code referralId}).
 * {@code capacity} is null when places are not limited; {@code status} is PUBLISHED, FULL, WITHDRAWN or ENDED;
 * {@code waitlistOpen} says a full opportunity still takes referrals onto its waiting list.
 */
public record OpportunityPlacesChanged(String opportunityId, String providerAgencyId, Integer capacity,
                                       int placesTaken, boolean waitlistOpen, String status, String referralId,
                                       Instant changedAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return opportunityId;
    }
}
