package org.pathways.referral.readmodel;

import java.time.Instant;

import org.pathways.events.agency.AgencyKind;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * What the referral-service knows of one agency, from catalogue events: its kind, to resolve kind consents.
 *
 * @param asOf when the catalogue registered or last updated it
 */
@Document("agency-views")
public record AgencyView(@Id String agencyId, @Indexed(name = "kind") AgencyKind kind, Instant asOf) {
}
