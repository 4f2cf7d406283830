package org.pathways.catalogue.agency;

import java.time.Instant;
import java.util.List;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencySector;

/**
 * An agency as the API shows it. {@code kind} and {@code sector} are the approved ones ({@code null} while
 * {@code status} is {@code PENDING}, with what its administrator asked for in {@code requestedKind} and
 * {@code requestedSector}).
 */
public record AgencyView(String id, String name, Status status, AgencySector sector, AgencyKind kind,
                         AgencySector requestedSector, AgencyKind requestedKind, List<String> localities,
                         List<AgencyContact> contacts, boolean acceptsDirectReferrals, String website,
                         String description, String email, String phone,
                         Instant createdAt, Instant updatedAt, Long version) {

    /** Whether a platform administrator has approved the agency's kind and sector. */
    public enum Status { PENDING, APPROVED }

    public static AgencyView of(Agency agency) {
        return new AgencyView(agency.id(), agency.name(), agency.pending() ? Status.PENDING : Status.APPROVED,
                agency.sector(), agency.kind(), agency.requestedSector(), agency.requestedKind(), agency.localities(),
                agency.contacts(), agency.acceptsDirectReferrals(), agency.website(), agency.description(),
                agency.email(), agency.phone(), agency.createdAt(),
                agency.updatedAt(), agency.version());
    }
}
