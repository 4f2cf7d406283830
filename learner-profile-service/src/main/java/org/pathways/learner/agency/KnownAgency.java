package org.pathways.learner.agency;

import java.time.Instant;

import org.pathways.events.agency.AgencyKind;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * What this service knows of one agency, from the catalogue's agency events: its kind, as of {@code asOf} (the time
 * the newest event applied says it was registered or updated). Read model only; the catalogue owns agencies.
 */
@Document("agencies")
public record KnownAgency(@Id String agencyId, AgencyKind kind, Instant asOf) {
}
