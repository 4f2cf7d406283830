package org.pathways.catalogue.agency;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

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
 * exactly their own record. {@code hsdsId} is the Open Referral organization id it is exchanged under. An outbox
 * aggregate: registering announces {@link AgencyRegistered}; a change to what other services act on (kind, sector,
 * whether it takes direct referrals) announces {@link AgencyUpdated}, codes only. A change of name, contacts or
 * localities announces nothing: those are read through the API.
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
    private AgencyKind kind;
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

    public static Agency register(String id, AgencyDetails details, Instant now) {
        Agency agency = new Agency();
        agency.id = Objects.requireNonNull(id, "id");
        agency.hsdsId = hsdsIdOf(id);
        agency.createdAt = now;
        agency.announced = true;
        agency.apply(details, now);
        return agency;
    }

    /** The Open Referral organization id of an agency registered here (not imported): derived from its id. */
    public static String hsdsIdOf(String agencyId) {
        return UUID.nameUUIDFromBytes(agencyId.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** An agency first learnt of from an Open Referral organization. */
    public static Agency imported(String hsdsId, AgencyDetails details, Instant now) {
        Agency agency = register("agency-" + hsdsId, details, now);
        agency.hsdsId = hsdsId;
        return agency;
    }

    /** What a new agency announces (saved with it). */
    public AgencyRegistered registered() {
        return new AgencyRegistered(id, kind, sector, acceptsDirectReferrals, createdAt);
    }

    /** The registration of an agency that has not been announced yet (one older than its events), once. */
    public Optional<AgencyRegistered> announceIfUnannounced() {
        if (announced) {
            return Optional.empty();
        }
        announced = true;
        return Optional.of(registered());
    }

    /** Replaces the details; announces the change when the kind, sector or referral stance changed. */
    public Optional<AgencyUpdated> revise(AgencyDetails details, Instant now) {
        AgencyKind kindBefore = kind;
        AgencySector sectorBefore = sector;
        boolean directBefore = acceptsDirectReferrals;
        apply(details, now);
        if (kind == kindBefore && sector == sectorBefore && acceptsDirectReferrals == directBefore) {
            return Optional.empty();
        }
        return Optional.of(new AgencyUpdated(id, kind, sector, acceptsDirectReferrals, now));
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
        sector = Objects.requireNonNull(details.sector(), "sector");
        kind = Objects.requireNonNull(details.kind(), "kind");
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
