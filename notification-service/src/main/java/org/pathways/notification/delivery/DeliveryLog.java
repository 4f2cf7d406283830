package org.pathways.notification.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.pathways.events.PathwaysEvent;
import org.pathways.messaging.outbox.Outbox;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.MongoPersistentEntityIndexResolver;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Where deliveries are kept. Writes go through the outbox (a delivery and its outcome event are one write); an
 * attempt starts by claiming the delivery with a conditional findAndModify that takes a lease and bumps the version,
 * so two instances never attempt the same delivery at once, and a stale instance's late write is refused.
 */
@Component
public class DeliveryLog implements InitializingBean {

    /** The first event still waiting in a delivery's outbox (the relay pulls each one it has published). */
    private static final String OUTBOX_FIRST = "outbox.0";

    private final MongoTemplate mongo;
    private final Outbox outbox;

    DeliveryLog(MongoTemplate mongo, Outbox outbox) {
        this.mongo = mongo;
        this.outbox = outbox;
    }

    @Override
    public void afterPropertiesSet() {
        var indexes = mongo.indexOps(Delivery.class);
        new MongoPersistentEntityIndexResolver(mongo.getConverter().getMappingContext())
                .resolveIndexFor(Delivery.class).forEach(indexes::createIndex);
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

    /** Stores a new delivery; false when this event already has a delivery to this subscription. */
    boolean open(Delivery delivery) {
        try {
            outbox.save(delivery, List.of());
            return true;
        } catch (DuplicateKeyException alreadyThere) {
            return false;
        }
    }

    /** Saves a delivery with the events its change caused; fails if someone else changed it since it was read. */
    void save(Delivery delivery, List<? extends PathwaysEvent> events) {
        outbox.save(delivery, events);
    }

    /** Takes the lease on the delivery that has been due longest, if any is free, leaving some subscriptions alone. */
    Optional<Delivery> claimDue(String owner, Instant now, Duration lease, Collection<String> leaveAlone) {
        Criteria due = Criteria.where("status").is(DeliveryStatus.PENDING).and("nextAttemptAt").lte(now);
        if (!leaveAlone.isEmpty()) {
            due = due.and("subscriptionId").nin(leaveAlone);
        }
        return claim(due, owner, now, lease);
    }

    /**
     * Takes the lease on one delivery if it is due and free: reads it by {@code _id}, then takes the lease with a
     * compare-and-set on exactly {@code _id} and the version it read. Both name exactly the fields of a unique index
     * ({@code _id}; the outbox's ({@code _id}, {@code version}) index), which the embedded store needs to serve them
     * without reading every delivery ever kept.
     */
    Optional<Delivery> claim(String id, String owner, Instant now, Duration lease) {
        Delivery seen = mongo.findById(id, Delivery.class);
        if (seen == null || seen.status() != DeliveryStatus.PENDING || seen.nextAttemptAt() == null
                || seen.nextAttemptAt().isAfter(now) || seen.leaseUntil() != null && !seen.leaseUntil().isBefore(now)) {
            return Optional.empty();
        }
        Update take = new Update().set("leaseUntil", now.plus(lease)).set("leaseOwner", owner).inc("version", 1);
        return Optional.ofNullable(mongo.findAndModify(
                Query.query(Criteria.where("_id").is(id).and("version").is(seen.version())), take,
                FindAndModifyOptions.options().returnNew(true), Delivery.class));
    }

    private Optional<Delivery> claim(Criteria due, String owner, Instant now, Duration lease) {
        Query free = Query.query(due.orOperator(Criteria.where("leaseUntil").exists(false),
                        Criteria.where("leaseUntil").is(null), Criteria.where("leaseUntil").lt(now)))
                .with(Sort.by("nextAttemptAt"));
        Update take = new Update().set("leaseUntil", now.plus(lease)).set("leaseOwner", owner).inc("version", 1);
        return Optional.ofNullable(mongo.findAndModify(free, take, FindAndModifyOptions.options().returnNew(true),
                Delivery.class));
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
