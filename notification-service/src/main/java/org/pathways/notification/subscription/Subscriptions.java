package org.pathways.notification.subscription;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.pathways.messaging.inbox.RoundTrips;
import org.pathways.events.catalogue.EventType;
import org.pathways.notification.config.WebhookProperties;
import org.pathways.platform.idempotency.IdempotencyKeys;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.store.GuardIndexes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.MongoPersistentEntityIndexResolver;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/** Every agency's subscriptions: registering, listing, removing, and finding who wants an event. */
@Component
public class Subscriptions implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);

    private final MongoTemplate mongo;
    private final EndpointPolicy endpoints;
    private final Clock clock;
    private final EndpointHealth health;
    private final Duration secretGrace;
    private final SecretKeyRing keys;
    private final AgencySubscriptions listed;

    Subscriptions(MongoTemplate mongo, EndpointPolicy endpoints, Clock clock, EndpointHealth health,
                  WebhookProperties properties, SecretKeyRing keys) {
        this.keys = keys;
        this.mongo = mongo;
        this.endpoints = endpoints;
        this.clock = clock;
        this.health = health;
        this.secretGrace = properties.secretGrace();
        this.listed = new AgencySubscriptions(mongo);
    }

    @Override
    public void afterPropertiesSet() {
        var indexes = mongo.indexOps(Subscription.class);
        new MongoPersistentEntityIndexResolver(mongo.getConverter().getMappingContext())
                .resolveIndexFor(Subscription.class).forEach(indexes::createIndex);
        // Removal within its agency and the change of an active one, by id: served by index on the embedded store too.
        GuardIndexes.declare(mongo, mongo.getCollectionName(Subscription.class), "agencyId");
        GuardIndexes.declare(mongo, mongo.getCollectionName(Subscription.class), "status");
        int agencies = listed.build(mongo.getCollectionName(Subscription.class));
        log.debug("Listed the subscriptions of {} agencies by agency", agencies);
    }

    /**
     * Lists the subscriptions kept under their agencies again, as at start (repeatable): for subscriptions written
     * into the store by something other than this class (an earlier version). Returns how many agencies have one.
     */
    public int listByAgency() {
        return listed.build(mongo.getCollectionName(Subscription.class));
    }

    /** Registers {@code url} for {@code agencyId}; a bad URL or an unknown type is the caller's error (400). */
    Subscription register(String agencyId, String url, List<String> eventTypes) {
        return register(agencyId, url, eventTypes, null).subscription();
    }

    /** A subscription as registered: {@code replayed} when the same request (its key) had registered it already. */
    record Registered(Subscription subscription, boolean replayed) {
    }

    /** How many subscriptions an agency may keep at once (registrations at the same moment may each pass the check). */
    static final int MAX_PER_AGENCY = 20;

    /**
     * Refuses a new subscription (webhook or FHIR rest-hook) to an agency that has {@link #MAX_PER_AGENCY}: each is
     * a signed request per event to its endpoint, so without a bound one agency's thousands of subscriptions to one
     * address would make the platform flood it. Counted among the subscriptions there are (an id listed for one that
     * was never written, or whose removal stopped half-way, does not count).
     */
    private void requireRoomFor(String agencyId) {
        List<String> listedIds = listed.of(List.of(agencyId)).get(agencyId);
        if (listedIds.size() >= MAX_PER_AGENCY && mongo.count(Query.query(Criteria.where("_id").in(listedIds)
                .and("agencyId").is(agencyId)), Subscription.class) >= MAX_PER_AGENCY) {
            throw new ProblemException(HttpStatus.CONFLICT, "too-many-subscriptions", "An agency has at most "
                    + MAX_PER_AGENCY + " subscriptions: remove one it no longer uses first (one subscription takes"
                    + " any number of event types).");
        }
    }

    /** How long the answer to a registration sent again shows the secret again. */
    private static final Duration SECRET_SHOWN_AGAIN_FOR = Duration.ofHours(24);

    /**
     * {@link #register(String, String, List)}; with an {@code Idempotency-Key}, the same request sent again (a double
     * click, a retry, or twice at once) answers the subscription the first made instead of a second one delivering
     * every event twice; the key sent for another endpoint or other types is a 422.
     */
    Registered register(String agencyId, String url, List<String> eventTypes, String idempotencyKey) {
        String requestKey = IdempotencyKeys.digest(agencyId, idempotencyKey);
        String id = requestKey == null ? null : Subscription.idForRequest(requestKey);
        List<String> types = eventTypes.stream().distinct().sorted().toList();
        if (id != null) {
            Optional<Registered> earlier = registeredBefore(agencyId, id, url, types);
            if (earlier.isPresent()) {
                return earlier.get();
            }
        }
        for (int i = 0; i < eventTypes.size(); i++) {
            if (EventType.ofType(eventTypes.get(i)).isEmpty()) {
                throw new ProblemException(HttpStatus.BAD_REQUEST, "unknown-event-type",
                        "eventTypes[" + i + "] is not a published event type.");
            }
        }
        try {
            endpoints.check(url);
        } catch (EndpointPolicy.RejectedEndpoint e) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "invalid-endpoint", e.getMessage());
        }
        requireRoomFor(agencyId);
        Subscription subscription = Subscription.register(id, agencyId, url, types, clock.instant(), keys);
        listed.list(agencyId, subscription.id());
        try {
            mongo.insert(subscription);
        } catch (DuplicateKeyException raced) {
            // The same request sent twice at once: the other one registered it.
            if (id == null) {
                throw raced;
            }
            return registeredBefore(agencyId, id, url, types).orElseThrow(() -> raced);
        }
        log.info("Agency {} registered subscription {}", agencyId, subscription.id());
        return new Registered(subscription, false);
    }

    /** The ids of removed subscriptions, by {@code _id}: what a request's key made and its agency removed since. */
    static final String REMOVED = "subscriptions_removed";

    /** Deletes the records of subscriptions removed before {@code cutoff}; returns how many went. */
    public long purgeRemovedBefore(java.time.Instant cutoff) {
        return mongo.remove(Query.query(Criteria.where("removedAt").lt(cutoff)), REMOVED).getDeletedCount();
    }

    private Optional<Registered> registeredBefore(String agencyId, String id, String url, List<String> types) {
        Optional<Subscription> earlier = find(id);
        if (earlier.isEmpty()) {
            if (mongo.exists(Query.query(Criteria.where("_id").is(id)), REMOVED)) {
                throw new ProblemException(HttpStatus.GONE, "subscription-removed", "The subscription this request "
                        + "made was removed since; to subscribe again, send a new request (a new Idempotency-Key).");
            }
            return Optional.empty();
        }
        if (!earlier.get().belongsTo(agencyId) || !earlier.get().registeredFor(url, types)) {
            throw IdempotencyKeys.reused("subscription");
        }
        return Optional.of(new Registered(earlier.get().secretShownAgain(clock.instant(), SECRET_SHOWN_AGAIN_FOR, keys),
                true));
    }

    /**
     * Registers a FHIR rest-hook Subscription of {@code agencyId} at {@code url} for {@code eventTypes}; its
     * channel headers are sealed under the current key. A bad URL is the caller's error (400).
     */
    public Subscription registerRestHook(String agencyId, String url, List<String> eventTypes, String criteria,
                                         String reason, String payload, List<String> headers) {
        try {
            endpoints.check(url);
        } catch (EndpointPolicy.RejectedEndpoint e) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "invalid-endpoint", e.getMessage());
        }
        requireRoomFor(agencyId);
        RestHook hook = new RestHook(criteria, reason, payload,
                headers.isEmpty() ? null : keys.seal(String.join("\n", headers)));
        Subscription subscription = Subscription.registerRestHook(agencyId, url,
                eventTypes.stream().distinct().sorted().toList(), hook, clock.instant(), keys);
        listed.list(agencyId, subscription.id());
        mongo.insert(subscription);
        log.info("Agency {} registered FHIR rest-hook subscription {}", agencyId, subscription.id());
        return subscription;
    }

    public List<Subscription> ofAgency(String agencyId) {
        return mongo.find(Query.query(Criteria.where("agencyId").is(agencyId))
                .with(Sort.by("createdAt", "_id")), Subscription.class);
    }

    public Optional<Subscription> find(String id) {
        return Optional.ofNullable(mongo.findById(id, Subscription.class));
    }

    /** Removes an agency's own subscription; another agency's is not found. */
    public boolean remove(String agencyId, String id) {
        if (find(id).filter(subscription -> subscription.belongsTo(agencyId)).isEmpty()) {
            return false;
        }
        // Remembered first (a stop between the two leaves a tombstone and the subscription, removed again next
        // time), so that the request that made it, sent again with its key (a late retry, the Back button), never
        // brings it back with a new secret.
        mongo.upsert(Query.query(Criteria.where("_id").is(id)), new Update().set("agencyId", agencyId)
                .set("removedAt", clock.instant()), REMOVED);
        boolean removed = mongo.remove(Query.query(Criteria.where("_id").is(id).and("agencyId").is(agencyId)),
                Subscription.class).getDeletedCount() > 0;
        if (removed) {
            listed.unlist(agencyId, id);
            health.forget(id);
            log.info("Agency {} removed subscription {}", agencyId, id);
        }
        return removed;
    }

    /**
     * The subscriptions of {@code agencies} that want events of {@code type} and take deliveries (active or paused).
     * In a batch, each agency's are read once for the whole batch ({@link #readAhead}).
     */
    public List<Subscription> activeFor(Collection<String> agencies, String type) {
        Map<String, List<Subscription>> read = batch.get();
        if (read == null) {
            read = takingDeliveries(agencies.stream().filter(java.util.Objects::nonNull).distinct().toList());
        } else {
            readAhead(agencies);
        }
        List<Subscription> wanting = new ArrayList<>();
        Map<String, List<Subscription>> of = read;
        agencies.stream().filter(java.util.Objects::nonNull).distinct().forEach(agency -> of.get(agency).stream()
                .filter(subscription -> subscription.eventTypes().contains(type)).forEach(wanting::add));
        return wanting;
    }

    /**
     * By agency (each present), its subscriptions that take deliveries (active or paused): the agencies' lists of ids
     * ({@link AgencySubscriptions}) and then the subscriptions listed, each read by {@code _id}, so the cost does not
     * grow with the subscriptions stored; no second read when none of them has a subscription.
     */
    private Map<String, List<Subscription>> takingDeliveries(List<String> agencies) {
        Map<String, List<Subscription>> read = new HashMap<>();
        agencies.forEach(agency -> read.put(agency, new ArrayList<>()));
        if (agencies.isEmpty()) {
            return read;
        }
        Map<String, String> agencyOf = new HashMap<>();
        listed.of(agencies).forEach((agency, ids) -> ids.forEach(id -> agencyOf.put(id, agency)));
        if (agencyOf.isEmpty()) {
            return read;
        }
        Query query = agencyOf.size() == 1 ? Query.query(Criteria.where("_id").is(agencyOf.keySet().iterator().next()))
                : Query.query(Criteria.where("_id").in(agencyOf.keySet()));
        mongo.find(query, Subscription.class).stream()
                .sorted(java.util.Comparator.comparing(Subscription::createdAt,
                        java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
                        .thenComparing(Subscription::id))
                .filter(subscription -> subscription.status() == SubscriptionStatus.ACTIVE
                        || subscription.status() == SubscriptionStatus.PAUSED)
                .filter(subscription -> subscription.agencyId().equals(agencyOf.get(subscription.id())))
                .forEach(subscription -> read.get(subscription.agencyId()).add(subscription));
        return read;
    }

    /** By agency, the subscriptions taking deliveries that this thread's batch has read; none outside a batch. */
    private final ThreadLocal<Map<String, List<Subscription>>> batch = new ThreadLocal<>();

    /**
     * From now until {@link #endBatch}, this thread reads each agency's subscriptions once per batch rather than once
     * per event (two reads by {@code _id}: the agencies' lists, then the subscriptions listed). A subscription
     * registered, paused or removed meanwhile counts from the next batch on (the dispatcher checks a delivery's
     * subscription again before each retry).
     */
    public void beginBatch() {
        batch.set(new HashMap<>());
    }

    /** In a batch: reads the subscriptions of the agencies that the batch has not read yet, in one query. */
    public void readAhead(Collection<String> agencies) {
        readAheadLater(agencies).run();
    }

    /**
     * In a batch: {@link #readAhead} as a read to be made on any thread (at once with the batch's other reads), into
     * this thread's batch as it is now; nothing to do when the batch has read them all.
     */
    public Runnable readAheadLater(Collection<String> agencies) {
        Map<String, List<Subscription>> read = batch.get();
        if (read == null) {
            return RoundTrips.NONE;
        }
        List<String> unread = agencies.stream().filter(agency -> agency != null && !read.containsKey(agency))
                .distinct().toList();
        if (unread.isEmpty()) {
            return RoundTrips.NONE;
        }
        return () -> read.putAll(takingDeliveries(unread));
    }

    /** Forgets what this thread's batch read. */
    public void endBatch() {
        batch.remove();
    }

    /** The ids of paused subscriptions, whose deliveries wait. */
    public Set<String> pausedIds() {
        Query paused = Query.query(Criteria.where("status").is(SubscriptionStatus.PAUSED));
        paused.fields().include("_id");
        return mongo.find(paused, Subscription.class).stream().map(Subscription::id).collect(Collectors.toSet());
    }

    /** Gives an agency's own subscription a new secret; the old one signs too during the grace period. */
    Optional<Subscription> rotateSecret(String agencyId, String id) {
        return rotateSecret(agencyId, id, null);
    }

    /**
     * {@link #rotateSecret(String, String)}; with an {@code Idempotency-Key}, the same request sent again answers the
     * secret that rotation made instead of rotating once more (which would end the grace of the secret the receiver
     * still checks), also when the two were sent at once.
     */
    Optional<Subscription> rotateSecret(String agencyId, String id, String idempotencyKey) {
        String requestKey = IdempotencyKeys.digest(agencyId, idempotencyKey);
        try {
            return rotateOnce(agencyId, id, requestKey);
        } catch (ProblemException raced) {
            Optional<Subscription> now = own(agencyId, id);
            if (now.isPresent() && now.get().rotatedBy(requestKey, clock.instant(), SECRET_SHOWN_AGAIN_FOR, keys)) {
                return now;
            }
            throw raced;
        }
    }

    private Optional<Subscription> rotateOnce(String agencyId, String id, String requestKey) {
        return own(agencyId, id).map(subscription -> {
            if (subscription.rotatedBy(requestKey, clock.instant(), SECRET_SHOWN_AGAIN_FOR, keys)) {
                return subscription;
            }
            Instant now = clock.instant();
            SealedSecret current = subscription.sealedSecret();
            subscription.rotateSecret(now, secretGrace, keys, requestKey);
            // Guarded by the secret it replaces (each sealing is unique, its IV random): two rotations racing must not
            // silently drop one caller's secret.
            long changed = mongo.updateFirst(Query.query(Criteria.where("_id").is(id)
                            .and("secret.value").is(current.value())),
                    new Update()
                            .set("secret", subscription.sealedSecret())
                            .set("previousSecret", subscription.previousSecret())
                            .set("previousUntil", subscription.previousUntil())
                            .set("rotatedAt", now)
                            .set("rotationKey", subscription.rotationKey()), Subscription.class).getModifiedCount();
            if (changed == 0) {
                throw org.pathways.platform.problem.ProblemException.conflict("secret-rotated-meanwhile",
                        "The secret was rotated by someone else meanwhile; rotate again if you still need to.",
                        java.util.Map.of());
            }
            log.info("Agency {} rotated the secret of subscription {}", agencyId, id);
            return subscription;
        });
    }

    /** Pauses or resumes an agency's own subscription; 409 for a disabled one. */
    Optional<Subscription> setPaused(String agencyId, String id, boolean paused) {
        return own(agencyId, id).map(subscription -> {
            try {
                if (paused) {
                    subscription.pause();
                } else {
                    subscription.resume();
                }
            } catch (IllegalStateException e) {
                throw ProblemException.conflict("subscription-disabled", e.getMessage() + ".", Map.of());
            }
            mongo.updateFirst(Query.query(Criteria.where("_id").is(id)
                            .and("status").ne(SubscriptionStatus.DISABLED)),
                    new Update().set("status", subscription.status()), Subscription.class);
            if (paused) {
                // Nothing is attempted while paused: its breaker and bulkhead (and their metrics) start afresh.
                health.forget(id);
            } else {
                health.resumed(id);
            }
            log.info("Agency {} {} subscription {}", agencyId, paused ? "paused" : "resumed", id);
            return subscription;
        });
    }

    private Optional<Subscription> own(String agencyId, String id) {
        return find(id).filter(s -> s.belongsTo(agencyId));
    }

    /** Stops all delivery to a subscription whose endpoint said it is gone. */
    public void disable(String id) {
        Instant now = clock.instant();
        mongo.updateFirst(Query.query(Criteria.where("_id").is(id).and("status").is(SubscriptionStatus.ACTIVE)),
                new Update().set("status", SubscriptionStatus.DISABLED).set("disabledAt", now), Subscription.class);
        health.forget(id);
        log.info("Disabled subscription {}: its endpoint answered 410 Gone", id);
    }
}
