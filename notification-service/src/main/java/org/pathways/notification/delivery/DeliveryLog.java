package org.pathways.notification.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.pathways.events.PathwaysEvent;
import org.pathways.messaging.lease.DocumentLeases;
import org.pathways.messaging.lease.Lease;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.notification.config.WebhookProperties;
import org.pathways.platform.store.GuardIndexes;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.MongoPersistentEntityIndexResolver;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Where deliveries are kept. Writes go through the outbox (a delivery and its outcome event are one write); an
 * attempt starts by claiming the delivery with the platform's {@link DocumentLeases} (a conditional update that takes
 * a lease and also bumps the version), so two instances never attempt the same delivery at once. The holder's writes
 * are fenced by that version: each claim bumps it and the outbox's save is guarded by it, so a stale instance's late
 * write is refused once another instance claimed the delivery.
 */
@Component
public class DeliveryLog implements InitializingBean {

    /** The first event still waiting in a delivery's outbox (the relay pulls each one it has published). */
    private static final String OUTBOX_FIRST = "outbox.0";

    private final MongoTemplate mongo;
    private final Outbox outbox;
    private final Clock clock;
    private final DocumentLeases leases;

    DeliveryLog(MongoTemplate mongo, Outbox outbox, Clock clock, WebhookProperties properties) {
        this.mongo = mongo;
        this.outbox = outbox;
        this.clock = clock;
        this.leases = new DocumentLeases(mongo, clock, DocumentLeases.Fields.DEFAULT, properties.lease(),
                "dispatcher-" + UUID.randomUUID());
    }

    @Override
    public void afterPropertiesSet() {
        var indexes = mongo.indexOps(Delivery.class);
        new MongoPersistentEntityIndexResolver(mongo.getConverter().getMappingContext())
                .resolveIndexFor(Delivery.class).forEach(indexes::createIndex);
        leases.createIndexes(collection());
        // One agency's delivery by id (its API): served by index on the embedded store too.
        GuardIndexes.declare(mongo, collection(), "agencyId");
    }

    private String collection() {
        return mongo.getCollectionName(Delivery.class);
    }

    /**
     * Deletes the deliveries, bodies and attempt logs with them, that arrived before {@code cutOff} and are done with
     * (delivered, parked or cancelled) and whose outcome event has left the outbox; one still on its way (pending,
     * including one a paused subscription holds) is kept. Returns how many went.
     */
    public long purgeFinishedBefore(Instant cutOff) {
        return mongo.remove(Query.query(Criteria.where("createdAt").lt(cutOff)
                .and("status").in(DeliveryStatus.DELIVERED, DeliveryStatus.PARKED, DeliveryStatus.CANCELLED)
                .and(OUTBOX_FIRST).exists(false)), Delivery.class).getDeletedCount();
    }

    /**
     * Stores an event's new deliveries in one round trip; returns those stored, leaving out any whose event already
     * has a delivery to its subscription (a repeated fan-out). The first {@code held} of them are stored with this
     * instance's lease already on them, for a dispatcher that has a slot for each: their first attempt needs no claim.
     */
    List<Delivery> openAll(List<Delivery> opening, int held) {
        for (Delivery delivery : opening.subList(0, Math.min(held, opening.size()))) {
            Lease<Void> lease = leases.forNew(collection(), delivery.id());
            delivery.heldBy(lease.token(), lease.until());
        }
        return outbox.insertAll(opening);
    }

    /**
     * Saves a delivery with the events its change caused; fails if someone else changed it since it was read. An
     * outcome's event goes in without a read of the delivery's outbox: at most the outcomes it reported before this
     * one can still wait there ({@link Delivery#outcomesReported}), which the outbox takes as its bound.
     */
    void save(Delivery delivery, List<? extends PathwaysEvent> events) {
        Integer reported = delivery.outcomesReported();
        if (reported != null && !events.isEmpty()) {
            outbox.save(delivery, events, reported - events.size());
        } else {
            outbox.save(delivery, events);
        }
    }

    /**
     * Ids a search found due and free and no claim has taken yet: the next claims take them by id, in the order found,
     * before the store is searched again.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<String> found =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final int SEARCH_PAGE = 50;

    /**
     * Takes the lease on a delivery that is due and free, leaving some subscriptions alone: the one due longest of a
     * page of ids found by one search (by status and due time, which the embedded store answers by reading every
     * delivery kept), each claimed by id ({@link #claim}). A dispatcher working through many due deliveries (another
     * agency's endpoint failing, a backlog after a restart) reads the collection once per {@value #SEARCH_PAGE}
     * deliveries, not once per delivery. Empty when a fresh search finds none this instance can claim.
     *
     * @param passedOver told of each id found due that is not claimed because its subscription is now left alone
     *                   (added while the found ones were being claimed): still due, and nothing else will announce it
     */
    Optional<Delivery> claimDue(Collection<String> leaveAlone,
                                java.util.function.BiConsumer<String, String> passedOver) {
        for (int search = 0; search < 2; search++) {
            String id;
            while ((id = found.poll()) != null) {
                Optional<Delivery> claimed = leases.claim(Delivery.class, collection(), id, delivery -> {
                    if (!due(delivery)) {
                        return false;
                    }
                    if (leaveAlone.contains(delivery.subscriptionId())) {
                        passedOver.accept(delivery.subscriptionId(), delivery.id());
                        return false;
                    }
                    return true;
                }, new Update().inc("version", 1)).map(Lease::document);
                if (claimed.isPresent()) {
                    return claimed;
                }
            }
            if (search == 0) {
                Criteria due = Criteria.where("status").is(DeliveryStatus.PENDING).and("nextAttemptAt")
                        .lte(clock.instant());
                if (!leaveAlone.isEmpty()) {
                    due = due.and("subscriptionId").nin(leaveAlone);
                }
                leases.findFree(collection(), due, Sort.by("nextAttemptAt"), SEARCH_PAGE)
                        .forEach(one -> found.add(String.valueOf(one)));
            }
        }
        return Optional.empty();
    }

    /**
     * Takes the lease on one delivery if it is due and free: reads it by {@code _id}, then takes the lease with a
     * compare-and-set on exactly {@code _id} and the lease holder it saw, the unique index {@link DocumentLeases}
     * declares, which the embedded store needs to serve it without reading every delivery ever kept.
     */
    Optional<Delivery> claim(String id) {
        return leases.claim(Delivery.class, collection(), id, this::due, new Update().inc("version", 1))
                .map(Lease::document);
    }

    /**
     * Takes the lease on a delivery this instance has just opened, without reading it again: one compare-and-set on
     * exactly {@code _id} and the lease holder it was opened with (none). Empty when another instance took it
     * meanwhile or it is not due.
     */
    Optional<Delivery> claimOpened(Delivery opened) {
        return leases.claimAsSeen(Delivery.class, collection(), opened.id(), null, this::due,
                new Update().inc("version", 1)).map(Lease::document);
    }

    private boolean due(Delivery delivery) {
        return delivery.status() == DeliveryStatus.PENDING && delivery.nextAttemptAt() != null
                && !delivery.nextAttemptAt().isAfter(clock.instant());
    }

    Optional<Delivery> find(String agencyId, String id) {
        return Optional.ofNullable(mongo.findOne(
                Query.query(Criteria.where("_id").is(id).and("agencyId").is(agencyId)), Delivery.class));
    }

    /** An agency's deliveries, newest first, optionally only those in one status. */
    List<Delivery> ofAgency(String agencyId, DeliveryStatus status, int limit) {
        Criteria criteria = Criteria.where("agencyId").is(agencyId);
        if (status != null) {
            criteria = criteria.and("status").is(status);
        }
        return mongo.find(Query.query(criteria).with(Sort.by(Sort.Direction.DESC, "createdAt")).limit(limit),
                Delivery.class);
    }
}
