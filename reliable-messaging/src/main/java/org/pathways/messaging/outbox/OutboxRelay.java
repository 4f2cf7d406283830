package org.pathways.messaging.outbox;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.bson.Document;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.messaging.cloudevents.CloudEventRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.messaging.Message;

/**
 * Moves events from aggregates' outboxes to Kafka, in order per aggregate.
 *
 * <p>To publish, a relay first takes a lease on the aggregate's document (a conditional findAndModify), so that two
 * instances never publish the same aggregate's events at once and their order holds. It sends each event and waits
 * for the broker's acknowledgement, then removes it from the outbox. A crash after the send and before the removal
 * publishes that event again later: delivery is at least once, and consumers de-duplicate by event id.
 */
public class OutboxRelay implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    static final String LEASE = "outboxLease";
    static final String LEASE_OWNER = "outboxLeaseOwner";
    private static final int MAX_ROUNDS = 20;

    private final MongoTemplate mongo;
    private final StreamBridge streamBridge;
    private final CloudEventRecords records;
    private final Duration lease;
    private final Clock clock;
    private final String owner = UUID.randomUUID().toString();
    private final Counter published;
    private final Counter failures;
    private final Timer lag;
    // Bounded: when it is full the write is already safe in MongoDB and the sweeper publishes it a moment later.
    private final ThreadPoolExecutor executor;

    public OutboxRelay(MongoTemplate mongo, StreamBridge streamBridge, CloudEventCodec codec, Duration lease,
                       Clock clock, MeterRegistry meters, int threads) {
        // Each relay thread waits on MongoDB and on the broker's acknowledgement, so several run at once; the
        // per-aggregate lease keeps each aggregate's events in order whichever thread takes it.
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(10_000), Thread.ofPlatform().name("outbox-relay-", 0).daemon().factory(),
                new ThreadPoolExecutor.DiscardPolicy());
        this.mongo = mongo;
        this.streamBridge = streamBridge;
        this.records = new CloudEventRecords(codec);
        this.lease = lease;
        this.clock = clock;
        this.published = meters.counter("pathways.outbox.published");
        this.failures = meters.counter("pathways.outbox.failures");
        this.lag = meters.timer("pathways.outbox.lag");
    }

    /** Publishes the aggregate's pending events soon, off the caller's thread. */
    public void publishSoon(String collection, Object aggregateId) {
        executor.execute(() -> drain(collection, aggregateId));
    }

    /**
     * Publishes every pending event of one aggregate, in order, if no other relay holds it.
     *
     * @return how many events this call published
     */
    public int drain(String collection, Object aggregateId) {
        int count = 0;
        try {
            for (int round = 0; round < MAX_ROUNDS; round++) {
                Document claimed = claim(collection, aggregateId);
                if (claimed == null) {
                    return count;
                }
                for (Document pending : claimed.getList(OutboxEntry.FIELD, Document.class, List.of())) {
                    OutboxEntry entry = OutboxEntry.fromDocument(pending);
                    send(entry);
                    markPublished(collection, aggregateId, entry.eventId());
                    count++;
                }
                Document released = release(collection, aggregateId);
                if (released == null || released.getList(OutboxEntry.FIELD, Document.class, List.of()).isEmpty()) {
                    return count;
                }
            }
        } catch (RuntimeException e) {
            failures.increment();
            log.warn("Could not relay the outbox of {} {}: {} (the sweeper will retry)", collection, aggregateId,
                    e.toString());
            release(collection, aggregateId);
        }
        return count;
    }

    /** Sends one event to Kafka and waits for the broker's acknowledgement. */
    public void send(OutboxEntry entry) {
        Message<byte[]> message = records.message(entry);
        if (!streamBridge.send(entry.topic(), message)) {
            throw new IllegalStateException("The binder refused event " + entry.eventId());
        }
        published.increment();
        lag.record(Duration.between(entry.recordedAt(), clock.instant()));
    }

    private Document claim(String collection, Object aggregateId) {
        Date now = Date.from(clock.instant());
        Query claimable = Query.query(Criteria.where("_id").is(aggregateId)
                .and(OutboxEntry.FIELD + ".0").exists(true)
                .orOperator(Criteria.where(LEASE).exists(false), Criteria.where(LEASE).is(null),
                        Criteria.where(LEASE).lt(now)));
        Update take = new Update().set(LEASE, Date.from(clock.instant().plus(lease))).set(LEASE_OWNER, owner);
        return mongo.findAndModify(claimable, take, FindAndModifyOptions.options().returnNew(true), Document.class,
                collection);
    }

    private void markPublished(String collection, Object aggregateId, String eventId) {
        mongo.updateFirst(Query.query(Criteria.where("_id").is(aggregateId)),
                new Update().pull(OutboxEntry.FIELD, new Document("eventId", eventId)), collection);
    }

    private Document release(String collection, Object aggregateId) {
        return mongo.findAndModify(Query.query(Criteria.where("_id").is(aggregateId).and(LEASE_OWNER).is(owner)),
                new Update().unset(LEASE).unset(LEASE_OWNER), FindAndModifyOptions.options().returnNew(true),
                Document.class, collection);
    }

    @Override
    public void destroy() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
