package org.pathways.events.agency;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/** An agency's details changed; carries its current kind, sector and referral stance (codes only). */
public record AgencyUpdated(String agencyId, AgencyKind kind, AgencySector sector, boolean acceptsDirectReferrals,
                            Instant updatedAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return agencyId;
    }
}
