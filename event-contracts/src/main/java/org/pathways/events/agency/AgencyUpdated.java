package org.pathways.events.agency;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * An approved agency's kind or sector (set only by a platform administrator) or its referral stance changed; carries
 * its current approved kind, sector and referral stance (codes only).
 */
public record AgencyUpdated(String agencyId, AgencyKind kind, AgencySector sector, boolean acceptsDirectReferrals,
                            Instant updatedAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return agencyId;
    }
}
