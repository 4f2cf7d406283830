package org.pathways.messaging.agency;

import java.time.Instant;
import java.util.Optional;

import org.pathways.events.agency.AgencyKind;

/**
 * What a service knows of one agency from the catalogue's agency events.
 *
 * @param agencyId     the agency
 * @param kind         its kind, or {@code null} when the catalogue named a kind this version does not know (the agency
 *                     is known all the same; a consent given to every agency of a kind covers it once a later event
 *                     names a kind this version knows)
 * @param reportedKind the kind exactly as the catalogue named it (a code, never personal data)
 * @param asOf         when the catalogue registered or last updated the agency, as of the newest event applied
 */
public record KnownAgency(String agencyId, AgencyKind kind, String reportedKind, Instant asOf) {

    /** The agency's kind, if this version knows it. */
    public Optional<AgencyKind> knownKind() {
        return Optional.ofNullable(kind);
    }

    /** Whether the catalogue named a kind this version does not know (or none at all). */
    public boolean kindUnknown() {
        return kind == null;
    }
}
