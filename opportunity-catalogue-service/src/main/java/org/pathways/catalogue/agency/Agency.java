package org.pathways.catalogue.agency;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.pathways.events.PathwaysEvent;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencyRegistered;
import org.pathways.events.agency.AgencySector;
import org.pathways.events.agency.AgencyUpdated;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.CompoundIndexes;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A provider in the partnership. Its id is the agency id that tokens carry, so an agency's administrators manage
 * exactly their own record. {@code hsdsId} is the Open Referral organization id it is exchanged under.
 *
 * <p>Kind and sector are a trust boundary: consent given "to every college" reaches every agency of kind
 * {@code COLLEGE}, so an agency never declares its own. What its administrator asks for is kept as
 * {@code requestedKind}/{@code requestedSector} and the agency stays <em>pending</em> (no kind, no sector, nothing
 * announced) until a platform administrator approves a kind ({@link #approve}), or an import run by one sets it.
 * Once approved, an agency's administrator still edits its name, contacts, localities and referral stance, but a
 * different kind or sector from them is refused ({@link KindChangeRefused}).
 *
 * <p>An outbox aggregate: the approval announces {@link AgencyRegistered} with the approved kind; after that a change
 * to what other services act on (kind, sector, whether it takes direct referrals) announces {@link AgencyUpdated},
 * codes only. A change of name, contacts or localities announces nothing: those are read through the API.
 */
@Document("agencies")
@CompoundIndexes({
        // The listing (by name, optionally by locality or kind), read in index order.
        @CompoundIndex(name = "name_order", def = "{'name': 1, '_id': 1}"),
        @CompoundIndex(name = "locality_name", def = "{'localities': 1, 'name': 1, '_id': 1}"),
        @CompoundIndex(name = "kind_name", def = "{'kind': 1, 'name': 1, '_id': 1}")
})
public class Agency {

    @Id
    private String id;
    @Version
    private Long version;
    @Indexed(unique = true, sparse = true)
    private String hsdsId;
    private String name;
    private AgencySector sector;
    /** The approved kind; {@code null} while pending. */
    private AgencyKind kind;
    /** What the agency's administrator asked for, until a platform administrator decides. */
    private AgencySector requestedSector;
    private AgencyKind requestedKind;
    private List<String> localities;
    private List<AgencyContact> contacts;
    private boolean acceptsDirectReferrals;
    private String website;
    private String description;
    private String email;
    private String phone;
    private Instant createdAt;
    private Instant updatedAt;
    /** Whether its registration was announced (agencies registered before agencies were announced were not). */
    private boolean announced;

    protected Agency() {
    }

    /**
     * An agency registered by its own administrator: pending, with the kind and sector it asks for, announced only
     * once a platform administrator approves a kind.
     */
    public static Agency request(String id, AgencyDetails details, Instant now) {
        Agency agency = new Agency();
        agency.id = Objects.requireNonNull(id, "id");
        agency.hsdsId = hsdsIdOf(id);
        agency.createdAt = now;
        agency.apply(details, now);
        agency.requestedKind = Objects.requireNonNull(details.kind(), "kind");
        agency.requestedSector = Objects.requireNonNull(details.sector(), "sector");
        return agency;
    }

    /** The Open Referral organization id of an agency registered here (not imported): derived from its id. */
    public static String hsdsIdOf(String agencyId) {
        return UUID.nameUUIDFromBytes(agencyId.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** An agency first learnt of from an Open Referral organization. */
    /** An agency first learnt of from an Open Referral organization (imports are a platform administrator's). */
    public static Agency imported(String hsdsId, AgencyDetails details, Instant now) {
        Agency agency = request("agency-" + hsdsId, details, now);
        agency.hsdsId = hsdsId;
        agency.setKind(details.kind(), details.sector());
        agency.announced = true;
        return agency;
    }

    /** What a new agency announces (saved with it). */
    public AgencyRegistered registered() {
        return registered(createdAt);
    }

    private AgencyRegistered registered(Instant at) {
        return new AgencyRegistered(id, kind, sector, acceptsDirectReferrals, at);
    }

    /** Whether no platform administrator has approved a kind yet. */
    public boolean pending() {
        return kind == null;
    }

    /** The registration of an agency that has not been announced yet (one older than its events), once. */
    public Optional<AgencyRegistered> announceIfUnannounced() {
        if (announced || pending()) {
            return Optional.empty();
        }
        announced = true;
        return Optional.of(registered());
    }

    /**
     * Its administrator replaces the details. While pending, the kind and sector sent are a new request; once
     * approved they must be the approved ones ({@link KindChangeRefused} otherwise, before anything changes).
     * Announces the change when the referral stance of an announced agency changed.
     */
    public List<PathwaysEvent> revise(AgencyDetails details, Instant now) {
        if (!pending() && (details.kind() != kind || details.sector() != sector)) {
            throw new KindChangeRefused();
        }
        AgencyKind kindBefore = kind;
        AgencySector sectorBefore = sector;
        boolean directBefore = acceptsDirectReferrals;
        apply(details, now);
        if (pending()) {
            requestedKind = details.kind();
            requestedSector = details.sector();
        }
        return news(kindBefore, sectorBefore, directBefore, now);
    }

    /**
     * An Open Referral import (only a platform administrator runs one) replaces the details, kind and sector
     * included: for a pending agency, its approval.
     */
    public List<PathwaysEvent> reviseFromImport(AgencyDetails details, Instant now) {
        AgencyKind kindBefore = kind;
        AgencySector sectorBefore = sector;
        boolean directBefore = acceptsDirectReferrals;
        apply(details, now);
        setKind(details.kind(), details.sector());
        return news(kindBefore, sectorBefore, directBefore, now);
    }

    /** A platform administrator sets the kind and sector: approves a pending agency, or changes an approved one. */
    public List<PathwaysEvent> approve(AgencyKind approvedKind, AgencySector approvedSector, Instant now) {
        AgencyKind kindBefore = kind;
        AgencySector sectorBefore = sector;
        setKind(approvedKind, approvedSector);
        updatedAt = now;
        return news(kindBefore, sectorBefore, acceptsDirectReferrals, now);
    }

    private void setKind(AgencyKind approvedKind, AgencySector approvedSector) {
        kind = Objects.requireNonNull(approvedKind, "kind");
        sector = Objects.requireNonNull(approvedSector, "sector");
        requestedKind = null;
        requestedSector = null;
    }

    /** What other services must learn: nothing while pending, the registration once approved, then changes. */
    private List<PathwaysEvent> news(AgencyKind kindBefore, AgencySector sectorBefore, boolean directBefore,
                                     Instant now) {
        if (pending()) {
            return List.of();
        }
        if (!announced) {
            announced = true;
            return List.of(registered(now));
        }
        if (kind == kindBefore && sector == sectorBefore && acceptsDirectReferrals == directBefore) {
            return List.of();
        }
        return List.of(new AgencyUpdated(id, kind, sector, acceptsDirectReferrals, now));
    }

    /** Whether {@code details} would change anything (an import of the same document changes nothing). */
    public boolean differsFrom(AgencyDetails details) {
        return !(name.equals(details.name()) && sector == details.sector() && kind == details.kind()
                && localities.equals(details.localities()) && contacts.equals(details.contacts())
                && acceptsDirectReferrals == details.acceptsDirectReferrals()
                && Objects.equals(website, details.website())
                && Objects.equals(description, details.description()) && Objects.equals(email, details.email())
                && Objects.equals(phone, details.phone()));
    }

    private void apply(AgencyDetails details, Instant now) {
        if (details.name() == null || details.name().isBlank() || details.name().length() > 200) {
            throw new IllegalArgumentException("Invalid name");
        }
        name = details.name();
        localities = List.copyOf(details.localities());
        contacts = List.copyOf(details.contacts());
        acceptsDirectReferrals = Boolean.TRUE.equals(details.acceptsDirectReferrals());
        website = details.website();
        if (details.description() != null && details.description().length() > 2000) {
            throw new IllegalArgumentException("Invalid description");
        }
        description = details.description();
        email = details.email();
        phone = details.phone();
        updatedAt = now;
    }

    public String id() { return id; }
    public Long version() { return version; }
    public String hsdsId() { return hsdsId; }
    public String name() { return name; }
    public AgencySector sector() { return sector; }
    public AgencyKind kind() { return kind; }
    public AgencyKind requestedKind() { return requestedKind; }
    public AgencySector requestedSector() { return requestedSector; }
    public List<String> localities() { return localities; }
    public List<AgencyContact> contacts() { return contacts; }
    public boolean acceptsDirectReferrals() { return acceptsDirectReferrals; }
    public String website() { return website; }
    public String description() { return description; }
    public String email() { return email; }
    public String phone() { return phone; }
    public Instant createdAt() { return createdAt; }
    public Instant updatedAt() { return updatedAt; }
}
