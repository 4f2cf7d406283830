package org.pathways.catalogue.opportunity;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.opportunity.OpportunityWithdrawn;
import org.pathways.platform.problem.ProblemException;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.CompoundIndexes;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * Something a provider agency offers that others may refer a learner to. The aggregate root: saved only through the
 * outbox, together with the events its changes cause; it refuses an illegal status change itself.
 */
@Document("opportunities")
@CompoundIndexes({
        @CompoundIndex(name = "search", def = "{'status': 1, 'kind': 1, 'level': 1, 'publishedAt': -1}"),
        @CompoundIndex(name = "provider", def = "{'providerAgencyId': 1, 'status': 1}")
})
public class Opportunity {

    static final String LEVEL_PATTERN = "E[1-3]|L[1-8]";
    private static final Pattern LEVEL = Pattern.compile(LEVEL_PATTERN);

    @Id
    private String id;
    @Version
    private Long version;
    private String providerAgencyId;
    private String createdBy;
    private String title;
    private String description;
    private OpportunityKind kind;
    private String level;
    private Integer capacity;
    private int placesTaken;
    private OpportunityStatus status;
    private Instant createdAt;
    private Instant publishedAt;
    private Instant withdrawnAt;

    protected Opportunity() {
    }

    /** Drafts an opportunity for {@code providerAgencyId}; nobody else sees it until it is published. */
    public static Opportunity draft(DraftOpportunity details, String providerAgencyId, String userId, Instant now) {
        Opportunity opportunity = new Opportunity();
        opportunity.id = "opp-" + UUID.randomUUID();
        opportunity.providerAgencyId = Objects.requireNonNull(providerAgencyId, "providerAgencyId");
        opportunity.createdBy = Objects.requireNonNull(userId, "userId");
        opportunity.title = require(details.title(), t -> !t.isBlank() && t.length() <= 200, "title");
        opportunity.description = require(details.description(), d -> d.length() <= 4000, "description");
        opportunity.kind = Objects.requireNonNull(details.kind(), "kind");
        opportunity.level = details.level() == null ? null
                : require(details.level(), l -> LEVEL.matcher(l).matches(), "level");
        opportunity.capacity = details.capacity() == null ? null
                : require(details.capacity(), c -> c >= 0, "capacity");
        opportunity.status = OpportunityStatus.DRAFT;
        opportunity.createdAt = Objects.requireNonNull(now, "now");
        return opportunity;
    }

    /** Opens the opportunity to referrals; only a draft can be published. */
    public OpportunityPublished publish(Instant now) {
        requireStatus(OpportunityStatus.DRAFT, "publish");
        status = OpportunityStatus.PUBLISHED;
        publishedAt = now;
        return new OpportunityPublished(id, providerAgencyId, kind, level, capacity, placesTaken, publishedAt);
    }

    /** Stops referrals to a published opportunity. */
    public OpportunityWithdrawn withdraw(Instant now) {
        requireStatus(OpportunityStatus.PUBLISHED, "withdraw");
        status = OpportunityStatus.WITHDRAWN;
        withdrawnAt = now;
        return new OpportunityWithdrawn(id, providerAgencyId, withdrawnAt);
    }

    /** A draft is its provider's business; once published, every agency may see it. */
    public boolean isVisibleTo(String agencyId) {
        return isProvidedBy(agencyId) || status != OpportunityStatus.DRAFT;
    }

    public boolean isProvidedBy(String agencyId) {
        return providerAgencyId.equals(agencyId);
    }

    /** Places still free, or null when places are not limited. */
    public Integer placesLeft() {
        return capacity == null ? null : Math.max(0, capacity - placesTaken);
    }

    private void requireStatus(OpportunityStatus required, String action) {
        if (status != required) {
            // "status" is a member of every problem (the HTTP status), so the opportunity's goes in currentStatus.
            throw ProblemException.conflict("illegal-transition",
                    "Cannot " + action + " an opportunity that is " + status + ".",
                    Map.of("currentStatus", status.name()));
        }
    }

    private static <T> T require(T value, java.util.function.Predicate<T> valid, String field) {
        if (value == null || !valid.test(value)) {
            throw new IllegalArgumentException("Invalid " + field);
        }
        return value;
    }

    public String id() {
        return id;
    }

    public Long version() {
        return version;
    }

    public String providerAgencyId() {
        return providerAgencyId;
    }

    public String createdBy() {
        return createdBy;
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    public OpportunityKind kind() {
        return kind;
    }

    public String level() {
        return level;
    }

    public Integer capacity() {
        return capacity;
    }

    public int placesTaken() {
        return placesTaken;
    }

    public OpportunityStatus status() {
        return status;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant publishedAt() {
        return publishedAt;
    }

    public Instant withdrawnAt() {
        return withdrawnAt;
    }
}
