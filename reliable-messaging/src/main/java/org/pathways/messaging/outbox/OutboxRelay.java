package org.pathways.messaging.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.bson.Document;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.messaging.cloudevents.CloudEventRecords;
import org.pathways.messaging.lease.DocumentLeases;
import org.pathways.messaging.lease.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micrometer.tracing.Span;
import org.pathways.messaging.tracing.TraceContext;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.messaging.Message;

/**
 * Moves events from aggregates' outboxes to Kafka, in order per aggregate.
 *
 * <p>To publish, a relay first takes a lease on the aggregate's document ({@link DocumentLeases}), so that two
 * instances never publish the same aggregate's events at once and their order holds. It sends each event and waits for
 * the broker's acknowledgement, which the producer's bounds ({@link ProducerBounds}) end within the longest send;
 * before a send that could outlast what is left of the lease it renews the lease (a fenced write, under a new token),
 * and only then: a round whose sends all fit in the lease it claimed costs the claim and the release, however many
 * events it publishes. Then it removes the published events and gives the lease back in one fenced write. A relay that
 * lost its lease writes nothing more and sends nothing more. (No other relay can take the lease over before it runs
 * out, so a lease with time left for the send needs no write to prove it is still held; a safety margin covers the
 * instances' clocks.)
 * A crash after a send and before the removal publishes that event again later: delivery is at least once, and
 * consumers de-duplicate by event id.
 */
public class OutboxRelay implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    static final String LEASE = "outboxLease";
    static final String LEASE_OWNER = "outboxLeaseOwner";
    /** The lease holder of an aggregate no relay holds. */
    public static final String FREE = "";
    private static final int MAX_ROUNDS = 20;
    /** Kept free at the end of a lease for the instances' clocks not agreeing exactly. */
    static final Duration CLOCK_MARGIN = Duration.ofSeconds(2);

    private final DocumentLeases leases;
    private final StreamBridge streamBridge;
    private final CloudEventRecords records;
    private TraceContext tracing = TraceContext.NONE;
    private final Clock clock;
    /** The longest one send can take ({@link ProducerBounds#longestSend()}), plus {@link #CLOCK_MARGIN}. */
    private final Duration sendNeeds;
    private final Counter published;
    private final Counter failures;
    private final Timer lag;
    // Bounded: when it is full the write is already safe in MongoDB and the sweeper publishes it a moment later.
    private final ThreadPoolExecutor executor;
    /** Aggregates queued for publishing on this instance and not yet seen through, with when they were queued. */
    private final Map<Unfinished, Instant> unfinished = new ConcurrentHashMap<>();
    /**
     * The leases of aggregates written held ({@link #holdNew}, {@link #holdUpdated}) that no drain has taken up yet:
     * taken by whichever drain of the aggregate comes first (the one {@link #publishHeld} queued, or the sweeper's
     * retry when the queue was full), so that one drain at a time publishes under a lease.
     */
    private final Map<Unfinished, Lease<Document>> heldLeases = new ConcurrentHashMap<>();

    /**
     * @param longestSend the longest one send can take ({@link ProducerBounds#longestSend()}): a send is started
     *                    without renewing the lease only while the lease has that much left (and a margin)
     */
    public OutboxRelay(MongoTemplate mongo, StreamBridge streamBridge, CloudEventCodec codec, Duration lease,
                       Duration longestSend, Clock clock, MeterRegistry meters, int threads) {
        // Each relay thread waits on MongoDB and on the broker's acknowledgement, so several run at once; the
        // per-aggregate lease keeps each aggregate's events in order whichever thread takes it.
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(10_000), Thread.ofPlatform().name("outbox-relay-", 0).daemon().factory(),
                new ThreadPoolExecutor.DiscardPolicy());
        this.leases = new DocumentLeases(mongo, clock, new DocumentLeases.Fields(LEASE, LEASE_OWNER, FREE), lease,
                "relay-" + UUID.randomUUID());
        this.streamBridge = streamBridge;
        this.records = new CloudEventRecords(codec);
        this.clock = clock;
        this.sendNeeds = longestSend.plus(CLOCK_MARGIN);
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
        publishSoon(collection, aggregateId, null);
    }

    /**
     * Like {@link #publishSoon(String, Object)}, for a writer that knows the aggregate's lease holder as it wrote it
     * ({@link #FREE} for an aggregate it inserted free, or updated while no relay held it): the relay takes the lease
     * with one compare-and-set on
     * that holder, without reading the aggregate first (and reads it only if that fails: another relay holds it, or
     * one that crashed left its lease to run out).
     */
    void publishSoon(String collection, Object aggregateId, Object seenOwner) {
        Unfinished aggregate = new Unfinished(collection, aggregateId);
        unfinished.putIfAbsent(aggregate, clock.instant());
        executor.execute(() -> drain(collection, aggregateId, seenOwner));
    }

    /**
     * Takes the lease on an aggregate about to be inserted with its first events: writes the lease's expiry and this
     * relay's new token into {@code document}, so that it is stored held and the relay publishes it without a claim
     * ({@link #publishHeld}, once the insert succeeded). It holds as a claimed lease does: no other relay can claim
     * the aggregate before it runs out, and each of its later writes is fenced on the token. One round trip fewer per
     * new aggregate (the claim's compare-and-set); the cost is for a process that dies or stops between the insert
     * and the publishing (or an insert that succeeded while its caller saw it fail): its events wait for the lease to
     * run out ({@code pathways.messaging.outbox.lease}) before a full sweep publishes them. Not inside a transaction
     * (the outbox inserts free there): the relay sends the events it was handed, which an aborted transaction would
     * never have stored.
     */
    Lease<Document> holdNew(String collection, Document document) {
        return hold(collection, document.get("_id"), document::put, document);
    }

    /**
     * Takes the lease on an aggregate in the update that appends its events, for a writer that knows its outbox was
     * empty at the version the update is guarded by (the update sets the owner whatever it was). Safe because no
     * other holder can then have anything to send or to write: a relay that holds the lease with events waiting gives
     * it back in the write that removes them, so with none waiting at that version, a holder is one whose claim found
     * nothing to send (it sends nothing, and its release, fenced on its own token, then matches nothing), and no claim
     * made after the update can succeed while its lease runs. This rests on the relay's claims applying nothing
     * beyond the lease ({@code onClaim} null) and on every later write of a holder being fenced on its token. The
     * lease's expiry and a new token are set by {@code update}; the lease's document lists {@code entries}, the whole
     * outbox after the update. Published with {@link #publishHeld} once the update matched.
     */
    Lease<Document> holdUpdated(String collection, Object id, List<Document> entries, Update update) {
        return hold(collection, id, update::set, new Document("_id", id).append(OutboxEntry.FIELD, entries));
    }

    /**
     * A new lease of this relay on the aggregate {@code id}, its expiry and token written with {@code write} (into the
     * document to insert, or the update to apply), listing {@code outbox}'s events for {@link #publishHeld}.
     */
    private Lease<Document> hold(String collection, Object id, BiConsumer<String, Object> write, Document outbox) {
        Lease<Void> lease = leases.forNew(collection, id);
        write.accept(LEASE, Date.from(lease.until()));
        write.accept(LEASE_OWNER, lease.token());
        return new Lease<>(collection, id, lease.token(), lease.until(), outbox);
    }

    /**
     * Publishes the events of an aggregate written held ({@link #holdNew}, {@link #holdUpdated}) soon, off the
     * caller's thread, under the lease it was written with: the events in {@code lease}'s document are the
     * aggregate's whole outbox at that write, and any event written after it is found by the release, as after a
     * claim.
     */
    void publishHeld(Lease<Document> lease) {
        Unfinished aggregate = new Unfinished(lease.collection(), lease.id());
        heldLeases.put(aggregate, lease);
        unfinished.putIfAbsent(aggregate, clock.instant());
        executor.execute(() -> drain(lease.collection(), lease.id(), null));
    }

    /** An aggregate whose events this instance queued and has not yet seen through to the broker. */
    record Unfinished(String collection, Object aggregateId) {
    }

    /**
     * Retries the aggregates this instance queued before {@code before} and has not finished publishing (the
     * sweeper's frequent pass), on the caller's thread; answers how many events it published.
     */
    public int retryUnfinished(Instant before) {
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
     * Publishes every pending event of one aggregate, in order, if no other relay holds it: takes the lease (read by
     * {@code _id}, then a compare-and-set), renews it before an event only when the send could outlast it, and after
     * the broker acknowledged them
     * removes the published events and gives the lease back in one fenced update, which also says whether more
     * arrived meanwhile. Every write after the claim is conditioned on this relay's token.
     *
     * @return how many events this call published
     */
    public int drain(String collection, Object aggregateId) {
        return drain(collection, aggregateId, null);
    }

    private int drain(String collection, Object aggregateId, Object seenOwner) {
        int count = 0;
        Unfinished aggregate = new Unfinished(collection, aggregateId);
        List<String> sent = new ArrayList<>();
        Lease<Document> held = null;
        try {
            for (int round = 0; round < MAX_ROUNDS; round++) {
                Optional<Lease<Document>> claimed = Optional.empty();
                if (round == 0) {
                    // Written held by this relay: its lease is taken up by this drain alone. One that no longer
                    // covers a send (queued long, or this is the full sweep that found it run out) is taken back with
                    // a compare-and-set from its own token, which fails only if another relay claimed it meanwhile.
                    Lease<Document> written = heldLeases.remove(aggregate);
                    if (written != null) {
                        claimed = outlastsASend(written) ? Optional.of(written)
                                : leases.claimAsSeen(Document.class, collection, aggregateId, written.token(),
                                        OutboxRelay::hasPending, null);
                    }
                }
                if (claimed.isEmpty() && round == 0 && seenOwner != null) {
                    claimed = leases.claimAsSeen(Document.class, collection, aggregateId, seenOwner,
                            OutboxRelay::hasPending, null);
                }
                if (claimed.isEmpty()) {
                    claimed = leases.claim(Document.class, collection, aggregateId, OutboxRelay::hasPending, null);
                }
                if (claimed.isEmpty()) {
                    // Nothing left, or another relay holds it and publishes it (or its lease runs out and the
                    // sweeper of some instance takes over).
                    finished(aggregate);
                    return count;
                }
                held = claimed.get();
                sent.clear();
                for (Document pending : held.document().getList(OutboxEntry.FIELD, Document.class, List.of())) {
                    OutboxEntry entry = OutboxEntry.fromDocument(pending);
                    // The lease must outlast this send, which ends within the producer's bounds: renewed (fenced)
                    // first when less than that is left of it (a slow broker made the round long). Lost means another
                    // relay took the aggregate over: it publishes the rest, in order; this one sends nothing more.
                    Optional<Lease<Document>> renewed = outlastsASend(held) ? Optional.of(held) : leases.renew(held);
                    if (renewed.isEmpty()) {
                        log.info("The outbox lease of {} {} ran out or was taken over; {} events sent under it will"
                                + " be sent again by the next holder", collection, aggregateId, sent.size());
                        unfinished.remove(aggregate);
                        return count;
                    }
                    held = renewed.get();
                    send(entry);
                    sent.add(entry.eventId());
                    count++;
                }
                Optional<Document> released = leases.release(held, published(sent));
                sent.clear();
                held = null;
                if (released.isEmpty() || !hasPending(released.get())) {
                    finished(aggregate);
                    return count;
                }
            }
        } catch (RuntimeException e) {
            failures.increment();
            log.warn("Could not relay the outbox of {} {}: {} (the sweeper will retry)", collection, aggregateId,
                    e.toString());
            if (held != null) {
                try {
                    // What was acknowledged is published: take it out, so that only the rest is sent again. Fenced:
                    // if another relay took over meanwhile, it sends them again (at least once, in order).
                    leases.release(held, published(sent));
                } catch (RuntimeException storeDown) {
                    log.warn("Could not release the outbox of {} {}: {} (its lease runs out)", collection,
                            aggregateId, storeDown.toString());
                }
            }
        }
        return count;
    }

    /**
     * Takes the aggregate off this instance's list of unfinished ones, unless a write has left a lease for a drain to
     * take up meanwhile ({@link #publishHeld}): that drain may have been dropped with a full queue, and only the
     * sweeper's retry of this list would then publish its events before the lease runs out.
     */
    private void finished(Unfinished aggregate) {
        unfinished.remove(aggregate);
        if (heldLeases.containsKey(aggregate)) {
            unfinished.putIfAbsent(aggregate, clock.instant());
        }
    }

    /** Spans for what the relay publishes: children of the context each event was written with. */
    public void setTracing(TraceContext tracing) {
        this.tracing = tracing;
    }

    /** Whether what is left of the lease covers the longest send and the clocks' margin. */
    private boolean outlastsASend(Lease<?> lease) {
        return clock.instant().plus(sendNeeds).isBefore(lease.until());
    }

    private static boolean hasPending(Document aggregate) {
        return !aggregate.getList(OutboxEntry.FIELD, Document.class, List.of()).isEmpty();
    }

    /** Takes the published events out of the outbox (nothing when none was). */
    private static Update published(List<String> eventIds) {
        Update update = new Update();
        if (!eventIds.isEmpty()) {
            update.pull(OutboxEntry.FIELD, new Document("eventId", new Document("$in", List.copyOf(eventIds))));
        }
        return update;
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

    @Override
    public void destroy() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
