package org.pathways.catalogue.agency;

import java.time.Instant;
import java.util.List;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencySector;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;

/**
 * An agency as the API shows it. {@code kind} and {@code sector} are the approved ones ({@code null} while
 * {@code status} is {@code PENDING}, with what its administrator asked for in {@code requestedKind} and
 * {@code requestedSector}). The people to contact at a pending agency ({@code contacts}: names, e-mails, phones) are
 * shown only to the agency itself and to platform administrators, who decide on it: until it is approved it is not
 * a partner, and registering gives it no standing to publish its staff to the partnership (nor the partnership any
 * need to reach them).
 */
public record AgencyView(String id, String name, Status status, AgencySector sector, AgencyKind kind,
                         AgencySector requestedSector, AgencyKind requestedKind, List<String> localities,
                         List<AgencyContact> contacts, boolean acceptsDirectReferrals, String website,
                         String description, String email, String phone,
                         Instant createdAt, Instant updatedAt, Long version) {

    /** Whether a platform administrator has approved the agency's kind and sector. */
    public enum Status { PENDING, APPROVED }

    /** The agency as {@code caller} may see it. */
    public static AgencyView of(Agency agency, Caller caller) {
        boolean contactsShown = !agency.pending() || caller.actsFor(agency.id()) || caller.has(Role.PLATFORM_ADMIN);
        return new AgencyView(agency.id(), agency.name(), agency.pending() ? Status.PENDING : Status.APPROVED,
                agency.sector(), agency.kind(), agency.requestedSector(), agency.requestedKind(), agency.localities(),
                contactsShown ? agency.contacts() : List.of(), agency.acceptsDirectReferrals(), agency.website(), agency.description(),
                agency.email(), agency.phone(), agency.createdAt(),
                agency.updatedAt(), agency.version());
    }
}
