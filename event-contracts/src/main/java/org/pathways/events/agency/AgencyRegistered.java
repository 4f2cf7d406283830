package org.pathways.events.agency;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * An agency joined the partnership's catalogue with the kind and sector a platform administrator approved (an agency
 * that registered itself is announced only once approved; what it asked for is never announced). Codes only: its
 * name, contacts and localities are read through the catalogue's API. Other services keep the kind to resolve consent
 * given to every agency of a kind.
 */
public record AgencyRegistered(String agencyId, AgencyKind kind, AgencySector sector, boolean acceptsDirectReferrals,
                               Instant registeredAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return agencyId;
    }
}
