package org.pathways.messaging.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
import io.micrometer.tracing.Span;
import org.pathways.messaging.TraceContext;
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
    /** The lease holder of an aggregate no relay holds. */
    public static final String FREE = "";
    private static final int MAX_ROUNDS = 20;

    private final MongoTemplate mongo;
    private final StreamBridge streamBridge;
    private final CloudEventRecords records;
    private TraceContext tracing = TraceContext.NONE;
    private final Duration lease;
    private final Clock clock;
    private final String owner = UUID.randomUUID().toString();
    private final Counter published;
    private final Counter failures;
    private final Timer lag;
    // Bounded: when it is full the write is already safe in MongoDB and the sweeper publishes it a moment later.
    private final ThreadPoolExecutor executor;
    /** Aggregates queued for publishing on this instance and not yet seen through, with when they were queued. */
    private final Map<Unfinished, Instant> unfinished = new ConcurrentHashMap<>();

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

    /**
     * Publishes the aggregate's pending events soon, off the caller's thread, right after the write that queued them.
     * Until that succeeds the aggregate stays on this instance's list of unfinished ones, which the sweeper retries
     * (Kafka was down, the queue was full) without searching the store.
     */
    public void publishSoon(String collection, Object aggregateId) {
        Unfinished aggregate = new Unfinished(collection, aggregateId);
        unfinished.putIfAbsent(aggregate, clock.instant());
        executor.execute(() -> drain(collection, aggregateId));
    }

    /** An aggregate whose events this instance queued and has not yet seen through to the broker. */
    record Unfinished(String collection, Object aggregateId) {
    }

    /** Retries the aggregates this instance queued before {@code before} and has not finished publishing. */
    int retryUnfinished(Instant before) {
        int published = 0;
        for (Map.Entry<Unfinished, Instant> entry : unfinished.entrySet()) {
            if (entry.getValue().isBefore(before)) {
                published += drain(entry.getKey().collection(), entry.getKey().aggregateId());
            }
        }
        return published;
    }

    /** How many aggregates wait on this instance's list of unfinished ones (for tests and diagnostics). */
    int unfinishedCount() {
        return unfinished.size();
    }

    /**
     * Publishes every pending event of one aggregate, in order, if no other relay holds it. Three round trips to the
     * store whatever the number of events: take the lease, then (after the broker acknowledged every event) remove
     * the published events and give the lease back in one update, which also says whether more arrived meanwhile.
     *
     * @return how many events this call published
     */
    public int drain(String collection, Object aggregateId) {
        int count = 0;
        Unfinished aggregate = new Unfinished(collection, aggregateId);
        List<String> sent = new ArrayList<>();
        String token = null;
        try {
            for (int round = 0; round < MAX_ROUNDS; round++) {
                token = owner + ":" + UUID.randomUUID();
                Document claimed = claim(collection, aggregateId, token);
                if (claimed == null) {
                    // Nothing left, or another relay holds it and publishes it (or its lease runs out and the
                    // sweeper of some instance takes over).
                    unfinished.remove(aggregate);
                    return count;
                }
                sent.clear();
                for (Document pending : claimed.getList(OutboxEntry.FIELD, Document.class, List.of())) {
                    OutboxEntry entry = OutboxEntry.fromDocument(pending);
                    send(entry);
                    sent.add(entry.eventId());
                }
                count += sent.size();
                Document released = markPublishedAndRelease(collection, aggregateId, sent, token);
                sent.clear();
                if (released == null || released.getList(OutboxEntry.FIELD, Document.class, List.of()).isEmpty()) {
                    unfinished.remove(aggregate);
                    return count;
                }
            }
        } catch (RuntimeException e) {
            failures.increment();
            log.warn("Could not relay the outbox of {} {}: {} (the sweeper will retry)", collection, aggregateId,
                    e.toString());
            try {
                // What was acknowledged is published: take it out, so that only the rest is sent again.
                markPublishedAndRelease(collection, aggregateId, sent, token);
            } catch (RuntimeException storeDown) {
                log.warn("Could not release the outbox of {} {}: {} (its lease runs out)", collection, aggregateId,
                        storeDown.toString());
            }
        }
        return count;
    }

    /** Spans for what the relay publishes: children of the context each event was written with. */
    public void setTracing(TraceContext tracing) {
        this.tracing = tracing;
    }

    /**
     * Sends one event to Kafka and waits for the broker's acknowledgement, in a producer span that continues the
     * trace the event was written in; the record carries that span's {@code traceparent}.
     */
    public void send(OutboxEntry entry) {
        tracing.inSpan(entry.topic() + " publish", Span.Kind.PRODUCER, entry.traceparent(), Map.of(
                "messaging.system", "kafka", "messaging.destination.name", entry.topic(),
                "messaging.message.id", entry.eventId(), "cloudevents.event_type", entry.type()), () -> {
            Message<byte[]> message = records.message(entry, tracing.current());
            if (!streamBridge.send(entry.topic(), message)) {
                throw new IllegalStateException("The binder refused event " + entry.eventId());
            }
        });
        published.increment();
        lag.record(Duration.between(entry.recordedAt(), clock.instant()));
    }

    /**
     * Takes the lease on the aggregate if it has events waiting and no live lease: reads it by {@code _id}, then swaps
     * the lease holder it saw for {@code token} in one conditional update on exactly {@code _id} and the holder (a
     * compare-and-set). The embedded store serves a query from an index only when the query's fields are exactly the
     * index's, so both go by {@code _id} alone or by the unique ({@code _id}, holder) index, never by a search of the
     * collection. A free document's holder is {@value #FREE}; one written before that, without the field, is taken
     * by the equivalent search.
     */
    private Document claim(String collection, Object aggregateId, String token) {
        Document current = mongo.findById(aggregateId, Document.class, collection);
        if (current == null || current.getList(OutboxEntry.FIELD, Document.class, List.of()).isEmpty()) {
            return null;
        }
        Date now = Date.from(clock.instant());
        Date until = current.getDate(LEASE);
        if (until != null && until.after(now)) {
            return null;
        }
        Update take = new Update().set(LEASE, Date.from(clock.instant().plus(lease))).set(LEASE_OWNER, token);
        Query holderSeen = current.containsKey(LEASE_OWNER)
                ? Query.query(Criteria.where("_id").is(aggregateId).and(LEASE_OWNER).is(current.get(LEASE_OWNER)))
                : Query.query(Criteria.where("_id").is(aggregateId).and(LEASE_OWNER).exists(false));
        return mongo.findAndModify(holderSeen, take, FindAndModifyOptions.options().returnNew(true), Document.class,
                collection);
    }

    /**
     * Removes the published events and gives the lease back, in one update when this relay still holds the lease;
     * if it lost it meanwhile (it ran out), only removes them. Returns the document as it is now, or null.
     */
    private Document markPublishedAndRelease(String collection, Object aggregateId, List<String> published,
                                             String token) {
        Update update = new Update().unset(LEASE).set(LEASE_OWNER, FREE);
        if (!published.isEmpty()) {
            update.pull(OutboxEntry.FIELD, new Document("eventId", new Document("$in", List.copyOf(published))));
        }
        Document released = mongo.findAndModify(
                Query.query(Criteria.where("_id").is(aggregateId).and(LEASE_OWNER).is(token)), update,
                FindAndModifyOptions.options().returnNew(true), Document.class, collection);
        if (released == null && !published.isEmpty()) {
            mongo.updateFirst(Query.query(Criteria.where("_id").is(aggregateId)), new Update().pull(OutboxEntry.FIELD,
                    new Document("eventId", new Document("$in", List.copyOf(published)))), collection);
        }
        return released;
    }

    @Override
    public void destroy() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
