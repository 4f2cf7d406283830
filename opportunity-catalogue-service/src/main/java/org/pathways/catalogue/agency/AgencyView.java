package org.pathways.catalogue.agency;

import java.time.Instant;
import java.util.List;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencySector;

/** An agency as the API shows it. */
public record AgencyView(String id, String name, AgencySector sector, AgencyKind kind, List<String> localities,
                         List<AgencyContact> contacts, boolean acceptsDirectReferrals, String website,
                         String description, String email, String phone,
                         Instant createdAt, Instant updatedAt, Long version) {

    public static AgencyView of(Agency agency) {
        return new AgencyView(agency.id(), agency.name(), agency.sector(), agency.kind(), agency.localities(),
                agency.contacts(), agency.acceptsDirectReferrals(), agency.website(), agency.description(),
                agency.email(), agency.phone(), agency.createdAt(),
                agency.updatedAt(), agency.version());
    }
}
