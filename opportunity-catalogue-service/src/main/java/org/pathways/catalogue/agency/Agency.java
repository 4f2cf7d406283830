package org.pathways.catalogue.agency;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A provider in the partnership. Its id is the agency id that tokens carry, so an agency's administrators manage
 * exactly their own record. {@code hsdsId} is the Open Referral organization id it is exchanged under.
 */
@Document("agencies")
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
    @Indexed
    private List<String> localities;
    private List<AgencyContact> contacts;
    private boolean acceptsDirectReferrals;
    private String website;
    private Instant createdAt;
    private Instant updatedAt;

    protected Agency() {
    }

    public static Agency register(String id, AgencyDetails details, Instant now) {
        Agency agency = new Agency();
        agency.id = Objects.requireNonNull(id, "id");
        agency.hsdsId = UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)).toString();
        agency.createdAt = now;
        agency.apply(details, now);
        return agency;
    }

    /** An agency first learnt of from an Open Referral organization. */
    public static Agency imported(String hsdsId, AgencyDetails details, Instant now) {
        Agency agency = register("agency-" + hsdsId, details, now);
        agency.hsdsId = hsdsId;
        return agency;
    }

    public void revise(AgencyDetails details, Instant now) {
        apply(details, now);
    }

    /** Whether {@code details} would change anything (an import of the same document changes nothing). */
    public boolean differsFrom(AgencyDetails details) {
        return !(name.equals(details.name()) && sector == details.sector() && kind == details.kind()
                && localities.equals(details.localities()) && contacts.equals(details.contacts())
                && acceptsDirectReferrals == details.acceptsDirectReferrals()
                && Objects.equals(website, details.website()));
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
    public Instant createdAt() { return createdAt; }
    public Instant updatedAt() { return updatedAt; }
}
