package org.pathways.catalogue.opportunity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.pathways.catalogue.agency.AgencyContact;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPlacesChanged;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.opportunity.OpportunityUpdated;
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
 *
 * <p>Search and matching are answered by the search index ({@code search.OpportunitySearch}), not by these. The
 * indexes serve every query the pathway and export API and the search index's upkeep issue (checked by
 * {@code QueryIndexCoverageTest} against the queries the running service actually sends); each filter a caller could
 * apply leads an index that continues with {@code status} and the newest-first order ({@code publishedAt} desc,
 * {@code _id}), so a filtered page is read in index order without sorting; a bounding box leads with the venue
 * coordinates (its matches, at most a few thousand, are sorted in memory); a date range rides on the newest-first
 * index, whose keys carry the start date. Names differ from earlier definitions, so a running MongoDB creates them
 * beside the old ones (drop those by hand: see the module's docs).
 */
@Document("opportunities")
@CompoundIndexes({
        @CompoundIndex(name = "status_newest_starts",
                def = "{'status': 1, 'publishedAt': -1, '_id': 1, 'schedule.startsOn': 1}"),
        @CompoundIndex(name = "kind_newest", def = "{'kind': 1, 'status': 1, 'publishedAt': -1, '_id': 1}"),
        @CompoundIndex(name = "level_newest", def = "{'level': 1, 'status': 1, 'publishedAt': -1, '_id': 1}"),
        @CompoundIndex(name = "tokens_newest",
                def = "{'searchTokens': 1, 'status': 1, 'publishedAt': -1, '_id': 1}"),
        @CompoundIndex(name = "locality_newest",
                def = "{'localities': 1, 'status': 1, 'publishedAt': -1, '_id': 1}"),
        @CompoundIndex(name = "language_newest",
                def = "{'languages': 1, 'status': 1, 'publishedAt': -1, '_id': 1}"),
        @CompoundIndex(name = "accessibility_newest",
                def = "{'accessibility': 1, 'status': 1, 'publishedAt': -1, '_id': 1}"),
        @CompoundIndex(name = "free_newest", def = "{'free': 1, 'status': 1, 'publishedAt': -1, '_id': 1}"),
        @CompoundIndex(name = "mode_newest", def = "{'mode': 1, 'status': 1, 'publishedAt': -1, '_id': 1}"),
        @CompoundIndex(name = "coordinates", def = "{'venues.latitude': 1, 'venues.longitude': 1, 'status': 1}"),
        @CompoundIndex(name = "leadsTo", def = "{'leadsTo': 1}"),
        @CompoundIndex(name = "provider_status", def = "{'providerAgencyId': 1, 'status': 1}")
})
public class Opportunity {

    static final String LEVEL_PATTERN = "E[1-3]|L[1-8]";
    private static final Pattern LEVEL = Pattern.compile(LEVEL_PATTERN);
    static final int MAX_ROUTES = 50;

    @Id
    private String id;
    @Version
    private Long version;
    /**
     * Counts the changes people make (details, status, routes; an import's too), never a place taken or released:
     * what a person's edit is guarded by (the API's {@code ETag}), so that referrals taking places meanwhile do not
     * turn it away. {@code version} still guards every write. Absent from documents stored before it (null): their
     * {@code version} stands for it, which is what the API's {@code ETag} said until then, so that an ETag read
     * before the upgrade is still the current one if nothing changed since, and never equals a later revision; a
     * first change of any kind then stores it ({@link #keepRevision}).
     */
    private Long revision;
    private String providerAgencyId;
    private String createdBy;
    private String title;
    private String description;
    private OpportunityKind kind;
    private String level;
    private Integer capacity;
    private OpportunityStatus status;
    private Instant createdAt;
    private Instant publishedAt;
    private Instant withdrawnAt;
    private Instant endedAt;
    private Instant updatedAt;
    private List<String> terms = List.of();
    private DeliveryMode mode = DeliveryMode.IN_PERSON;
    private List<Venue> venues = List.of();
    private Schedule schedule;
    private Integer costPence;
    private String costCurrency;
    private Set<FreeFor> freeFor = Set.of();
    private Eligibility eligibility;
    private Set<AccessibilityFeature> accessibility = Set.of();
    private Set<String> languages = Set.of("en");
    private boolean waitlistOpen;
    private String url;
    private String email;
    private String phone;
    private List<AgencyContact> contacts = List.of();
    private String feesDescription;
    /**
     * Places taken: a counter, so the document stays the same size however many referrals it has seen. Who holds a
     * place is kept apart, one document per referral and opportunity ({@code places.PlaceHoldings}), which makes each
     * change idempotent per referral; this counter follows those documents' changes exactly once each.
     */
    private int placesTaken;
    /**
     * The place changes counted here whose holding is not yet marked as counted (a few at most, each for the moment
     * between the two writes): a change found here is not counted again when its handling is repeated after a crash.
     */
    private List<String> placeChangesInFlight = new ArrayList<>();
    /** The opportunities this one leads on to. */
    private List<String> leadsTo = new ArrayList<>();
    // Derived, for the indexes a real MongoDB serves the search from.
    private Set<String> searchTokens = Set.of();
    // Per field, so that ranking reads a few small arrays instead of re-reading the text.
    private Set<String> titleTokens = Set.of();
    private Set<String> termTokens = Set.of();
    private List<String> localities = List.of();
    private boolean free;
    protected Opportunity() {
    }

    /** Drafts an opportunity for {@code providerAgencyId}; nobody else sees it until it is published. */
    public static Opportunity draft(DraftOpportunity details, String providerAgencyId, String userId, Instant now) {
        return draft("opp-" + UUID.randomUUID(), details, providerAgencyId, userId, now);
    }

    public static Opportunity draft(String id, DraftOpportunity details, String providerAgencyId, String userId,
                                    Instant now) {
        Opportunity opportunity = new Opportunity();
        opportunity.id = Objects.requireNonNull(id, "id");
        opportunity.providerAgencyId = Objects.requireNonNull(providerAgencyId, "providerAgencyId");
        opportunity.createdBy = Objects.requireNonNull(userId, "userId");
        opportunity.apply(details);
        opportunity.status = OpportunityStatus.DRAFT;
        opportunity.createdAt = Objects.requireNonNull(now, "now");
        opportunity.updatedAt = now;
        return opportunity;
    }

    private void apply(DraftOpportunity details) {
        title = require(details.title(), t -> !t.isBlank() && t.length() <= 200, "title");
        description = require(details.description(), d -> d.length() <= 4000, "description");
        kind = Objects.requireNonNull(details.kind(), "kind");
        level = details.level() == null ? null : require(details.level(), l -> LEVEL.matcher(l).matches(), "level");
        capacity = details.capacity() == null ? null : require(details.capacity(), c -> c >= 0, "capacity");
        terms = List.copyOf(details.terms());
        mode = details.mode();
        venues = List.copyOf(details.venues());
        schedule = details.schedule();
        costPence = details.costPence() == null ? null : require(details.costPence(), c -> c >= 0, "costPence");
        costCurrency = details.costCurrency();
        freeFor = Set.copyOf(details.freeFor());
        eligibility = details.eligibility();
        if (eligibility.priorLevel() != null && !LEVEL.matcher(eligibility.priorLevel()).matches()) {
            throw new IllegalArgumentException("Invalid prior level");
        }
        accessibility = Set.copyOf(details.accessibility());
        languages = Set.copyOf(details.languages());
        waitlistOpen = Boolean.TRUE.equals(details.waitlistOpen());
        url = details.url() == null ? null : require(details.url(), u -> u.length() <= 500, "url");
        email = details.email() == null ? null : require(details.email(), e -> e.length() <= 254, "email");
        phone = details.phone();
        contacts = List.copyOf(details.contacts());
        feesDescription = details.feesDescription() == null ? null
                : require(details.feesDescription(), f -> f.length() <= 1000, "feesDescription");
        if (eligibility.description() != null && eligibility.description().length() > 1000) {
            throw new IllegalArgumentException("Invalid eligibility description");
        }
        derive();
    }

    private void derive() {
        titleTokens = SearchText.tokens(title);
        Set<String> inTerms = new LinkedHashSet<>();
        terms.forEach(term -> inTerms.addAll(SearchText.tokens(term)));
        termTokens = inTerms;
        Set<String> tokens = new LinkedHashSet<>(titleTokens);
        tokens.addAll(SearchText.tokens(description));
        tokens.addAll(termTokens);
        searchTokens = tokens;
        localities = venues.stream().map(venue -> venue.locality().toLowerCase(Locale.ROOT)).distinct().toList();
        free = costPence == null || costPence == 0;
    }

    /** The details a provider sends, as they are now (a PUT starts from these). */
    public DraftOpportunity details() {
        return new DraftOpportunity(title, description, kind, level, capacity, terms, mode, venues, schedule,
                costPence, freeFor, eligibility, accessibility, languages, waitlistOpen, url, email, phone,
                contacts, feesDescription, costCurrency);
    }

    /**
     * Replaces the details. A draft announces nothing; a published opportunity announces that it changed (and may
     * become full, or open again, with a new capacity). Final ones no longer change.
     */
    public Optional<OpportunityUpdated> revise(DraftOpportunity details, Instant now) {
        if (status == OpportunityStatus.WITHDRAWN || status == OpportunityStatus.ENDED) {
            throw illegal("change");
        }
        apply(details);
        updatedAt = now;
        revision = revision() + 1;
        if (status == OpportunityStatus.DRAFT) {
            return Optional.empty();
        }
        followPlaces();
        return Optional.of(updated(now));
    }

    /** Opens the opportunity to referrals; only a draft can be published. */
    public OpportunityPublished publish(Instant now) {
        requireStatus(OpportunityStatus.DRAFT, "publish");
        status = OpportunityStatus.PUBLISHED;
        publishedAt = now;
        updatedAt = now;
        revision = revision() + 1;
        followPlaces();
        return new OpportunityPublished(id, providerAgencyId, kind, level, capacity, placesTaken(), publishedAt,
                leadsTo);
    }

    /** Stops referrals to a published (or full, or temporarily closed) opportunity, for good. */
    public OpportunityWithdrawn withdraw(Instant now) {
        if (!status.isListed() && status != OpportunityStatus.TEMPORARILY_CLOSED) {
            throw illegal("withdraw");
        }
        status = OpportunityStatus.WITHDRAWN;
        withdrawnAt = now;
        updatedAt = now;
        revision = revision() + 1;
        return new OpportunityWithdrawn(id, providerAgencyId, withdrawnAt);
    }

    /** The opportunity has run its course. */
    public OpportunityUpdated end(Instant now) {
        if (!status.isListed() && status != OpportunityStatus.TEMPORARILY_CLOSED) {
            throw illegal("end");
        }
        status = OpportunityStatus.ENDED;
        endedAt = now;
        updatedAt = now;
        revision = revision() + 1;
        return updated(now);
    }

    /**
     * Takes no referrals for now, and may open again ({@link #reopen}): a published or full one whose source says
     * it is temporarily closed. Announced as a withdrawal, the events' word for "no longer takes referrals".
     */
    public OpportunityWithdrawn closeTemporarily(Instant now) {
        if (!status.isListed()) {
            throw illegal("close");
        }
        status = OpportunityStatus.TEMPORARILY_CLOSED;
        updatedAt = now;
        revision = revision() + 1;
        return new OpportunityWithdrawn(id, providerAgencyId, now);
    }

    /**
     * Opens a temporarily closed opportunity to referrals again (published, or full as its places say), announced
     * as a publication; when it was first published stays as it was.
     */
    public OpportunityPublished reopen(Instant now) {
        requireStatus(OpportunityStatus.TEMPORARILY_CLOSED, "reopen");
        status = OpportunityStatus.PUBLISHED;
        updatedAt = now;
        revision = revision() + 1;
        followPlaces();
        return new OpportunityPublished(id, providerAgencyId, kind, level, capacity, placesTaken(), publishedAt,
                leadsTo);
    }

    /**
     * Counts a place taken (a referral accepted or started) by the change {@code changeId} (one per holding and
     * direction), once: a change already counted here changes nothing. Which referral holds a place, and that an ended
     * one never takes it again, is decided per referral before this is called. A place is counted even beyond capacity
     * (the provider accepted), never lost.
     */
    public Change<OpportunityPlacesChanged> takePlace(String referralId, String changeId, Instant now) {
        keepRevision();
        if (status == OpportunityStatus.DRAFT) {
            throw illegal("take a place on");
        }
        if (placeChangesInFlight.contains(changeId)) {
            return Change.none();
        }
        placeChangesInFlight.add(changeId);
        placesTaken++;
        return Change.announcing(placesChanged(referralId, now));
    }

    /** Counts a place released (its referral ended) by the change {@code changeId}, once, as {@link #takePlace}. */
    public Change<OpportunityPlacesChanged> releasePlace(String referralId, String changeId, Instant now) {
        keepRevision();
        if (placeChangesInFlight.contains(changeId)) {
            return Change.none();
        }
        placeChangesInFlight.add(changeId);
        placesTaken = Math.max(0, placesTaken - 1);
        return Change.announcing(placesChanged(referralId, now));
    }

    /**
     * The holding of {@code changeId} now records that it was counted: the change need not be remembered here any
     * longer. Announces nothing; one not remembered changes nothing.
     */
    public Change<OpportunityPlacesChanged> forgetPlaceChange(String changeId) {
        keepRevision();
        return placeChangesInFlight.remove(changeId) ? Change.silent() : Change.none();
    }

    /** The place changes counted here and not yet marked on their holding (see {@link #takePlace}). */
    public List<String> placeChangesInFlight() {
        return List.copyOf(placeChangesInFlight);
    }

    private OpportunityPlacesChanged placesChanged(String referralId, Instant now) {
        updatedAt = now;
        followPlaces();
        return new OpportunityPlacesChanged(id, providerAgencyId, capacity, placesTaken(), waitlistOpen,
                status.eventCode(), referralId, now);
    }

    /** PUBLISHED ⇄ FULL as places are taken and released. */
    private void followPlaces() {
        if (status.isListed()) {
            status = capacity != null && placesTaken() >= capacity ? OpportunityStatus.FULL
                    : OpportunityStatus.PUBLISHED;
        }
    }

    private OpportunityUpdated updated(Instant now) {
        return new OpportunityUpdated(id, providerAgencyId, kind, level, capacity, placesTaken(), status.eventCode(),
                now, leadsTo);
    }

    /**
     * Adds a progression route to {@code toId}. A repeat changes nothing. A draft announces nothing (its publication
     * carries its routes); otherwise {@link OpportunityUpdated} carries the full current list, from which the
     * referral-service suggests next steps.
     */
    public Change<OpportunityUpdated> leadOnTo(String toId, Instant now) {
        if (toId.equals(id)) {
            throw ProblemException.unprocessable("route-to-itself", "An opportunity cannot lead on to itself.");
        }
        if (leadsTo.contains(toId)) {
            return Change.none();
        }
        if (leadsTo.size() >= MAX_ROUTES) {
            throw ProblemException.unprocessable("too-many-routes",
                    "An opportunity leads on to at most " + MAX_ROUTES + " others.");
        }
        leadsTo.add(toId);
        return routesChanged(now);
    }

    /** Removes the route to {@code toId}, announced as {@link #leadOnTo} is; a route that is not there changes nothing. */
    public Change<OpportunityUpdated> removeRoute(String toId, Instant now) {
        return leadsTo.remove(toId) ? routesChanged(now) : Change.none();
    }

    private Change<OpportunityUpdated> routesChanged(Instant now) {
        updatedAt = now;
        revision = revision() + 1;
        return status == OpportunityStatus.DRAFT ? Change.silent() : Change.announcing(updated(now));
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
        return capacity == null ? null : Math.max(0, capacity - placesTaken());
    }

    public boolean hasPlaces() {
        return capacity == null || placesTaken() < capacity;
    }

    private void requireStatus(OpportunityStatus required, String action) {
        if (status != required) {
            throw illegal(action);
        }
    }

    private ProblemException illegal(String action) {
        // "status" is a member of every problem (the HTTP status), so the opportunity's goes in currentStatus.
        return ProblemException.conflict("illegal-transition",
                "Cannot " + action + " an opportunity that is " + status + ".",
                Map.of("currentStatus", status.name()));
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

    /** A document stored before revisions: its revision kept at what its version is now, before places move it. */
    private void keepRevision() {
        if (revision == null) {
            revision = revision();
        }
    }

    /** The people's revision: bumped by their changes, not by places (see the field). */
    public long revision() {
        return revision != null ? revision : version == null ? 0 : version;
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

    /** Places taken: one per referral holding a place. */
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

    public Instant endedAt() { return endedAt; }
    public Instant updatedAt() { return updatedAt; }
    public List<String> terms() { return terms; }
    public DeliveryMode mode() { return mode; }
    public List<Venue> venues() { return venues; }
    public Schedule schedule() { return schedule; }
    public Integer costPence() { return costPence; }
    /** The ISO 4217 currency of {@link #costPence()} when it is not pounds (null: GBP). */
    public String costCurrency() { return costCurrency; }
    public Set<FreeFor> freeFor() { return freeFor; }
    public Eligibility eligibility() { return eligibility == null ? Eligibility.anyone() : eligibility; }
    public Set<AccessibilityFeature> accessibility() { return accessibility; }
    public Set<String> languages() { return languages; }
    public boolean waitlistOpen() { return waitlistOpen; }
    public String url() { return url; }
    public String email() { return email; }
    public String phone() { return phone; }
    public List<AgencyContact> contacts() { return contacts == null ? List.of() : contacts; }
    public String feesDescription() { return feesDescription; }
    public List<String> leadsTo() { return List.copyOf(leadsTo); }
    public Set<String> searchTokens() { return searchTokens; }
    public boolean isFree() { return free; }
}
