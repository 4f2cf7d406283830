package org.pathways.messaging.inbox;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.micrometer.core.instrument.MeterRegistry;
import org.bson.Document;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.LearnerErased;
import org.pathways.messaging.tracing.TraceContext;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.messaging.store.UniqueInserts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micrometer.tracing.Span;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.BulkOperationException;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Idempotent consuming: remembers, per handler, every event id it has finished processing and skips repeats, so the
 * at-least-once delivery of the outbox becomes effectively-once processing.
 *
 * <p>An event is marked done only after its handler succeeded: a crash mid-way means the event is processed again
 * on redelivery, never lost. A handler that throws is retried with back-off by the binder and then dead-lettered
 * (one dead-letter topic per consumer group); a {@link MalformedEventException} is dead-lettered at once.
 *
 * <p>A learner's erasure is different: it must always be applied. Before a {@code learner.erased} handler runs, the
 * learner's tombstone is written ({@link ErasedLearners}); a failing erasure handler is never dead-lettered but
 * parked ({@link ParkedErasures}) and applied again on a schedule with capped back-off until it succeeds. Every
 * other event reaches its handler with the ids of erased learners replaced by their pseudonyms.
 */
public class EventInbox {

    /** Spans for what the inbox processes: children of the record's {@code traceparent}. */
    private TraceContext tracing = TraceContext.NONE;


    private static final Logger log = LoggerFactory.getLogger(EventInbox.class);
    static final String COLLECTION = "inbox";

    private final MongoTemplate mongo;
    private final CloudEventCodec codec;
    private final Clock clock;
    private final Duration retention;
    private final MeterRegistry meters;
    private final ErasedLearners erasedLearners;
    private final ParkedErasures parkedErasures;
    /** The handlers whose effect spans documents: run with the done mark in one transaction where there are any. */
    private final java.util.Set<String> spanningDocuments = ConcurrentHashMap.newKeySet();
    private EffectTransactions transactions = EffectTransactions.none();
    /** Every handler this inbox feeds, by name, so that a parked erasure can be handed back to it. */
    private final Map<String, BiConsumer<ReceivedEvent, byte[]>> handlers = new ConcurrentHashMap<>();

    public EventInbox(MongoTemplate mongo, CloudEventCodec codec, Clock clock, Duration retention,
                      MeterRegistry meters, ErasedLearners erasedLearners, ParkedErasures parkedErasures) {
        this.mongo = mongo;
        this.codec = codec;
        this.clock = clock;
        this.retention = retention;
        this.meters = meters;
        this.erasedLearners = erasedLearners;
        this.parkedErasures = parkedErasures;
    }

    /** How a batch consumer retries a failing event, and where it dead-letters one that keeps failing. */
    private ConsumerRetry retry = new ConsumerRetry(4, Duration.ofMillis(500), 2.0, Duration.ofSeconds(5));
    private RecordDeadLetters deadLetters;

    /** Processes every event in a consumer span continuing the record's trace. */
    public void setTracing(TraceContext tracing) {
        this.tracing = tracing;
    }

    /** Where the store has transactions, runs the handlers whose effect spans documents in one with the done mark. */
    public void setTransactions(EffectTransactions transactions) {
        this.transactions = transactions;
    }

    /**
     * Like {@link #consumer(String, Consumer)}, for a handler whose effect spans several documents (and only writes to
     * this service's MongoDB): where the store has transactions, the effect and the inbox's done mark commit in one
     * ({@link EffectTransactions}); elsewhere the handler's own per-document guards keep it applied once.
     */
    public Consumer<Message<byte[]>> consumerSpanningDocuments(String handlerName, Consumer<ReceivedEvent> handler) {
        spanningDocuments.add(handlerName);
        return consumer(handlerName, handler);
    }

    /** Whether {@code handlerName}'s effect and done mark commit in one transaction here. */
    public boolean inTransaction(String handlerName) {
        return spanningDocuments.contains(handlerName) && transactions.available();
    }

    /** For batch consumers: how a failing event is retried, and where it goes when it keeps failing. */
    public void setBatchFailures(ConsumerRetry retry, RecordDeadLetters deadLetters) {
        this.retry = retry;
        this.deadLetters = deadLetters;
    }

    /** A Spring Cloud Stream consumer that hands each new event to {@code handler} once. */
    public Consumer<Message<byte[]>> consumer(String handlerName, Consumer<ReceivedEvent> handler) {
        return consumerWithRecord(handlerName, (event, record) -> handler.accept(event));
    }

    /**
     * Like {@link #consumer(String, Consumer)}, but also hands over the record exactly as it was published (the
     * structured CloudEvent JSON), for a handler that forwards the event verbatim, such as webhook delivery.
     */
    public Consumer<Message<byte[]>> consumerWithRecord(String handlerName,
                                                        BiConsumer<ReceivedEvent, byte[]> handler) {
        register(handlerName, handler);
        return message -> {
            Object trace = message.getHeaders().get(TraceContext.HEADER);
            String traceparent = trace instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                    : trace != null ? trace.toString() : null;
            tracing.inSpan(handlerName + " process", Span.Kind.CONSUMER, traceparent,
                    Map.of("messaging.system", "kafka", "messaging.consumer.handler", handlerName),
                    () -> receive(handlerName, message.getPayload(), traceparent));
        };
    }

    private void register(String handlerName, BiConsumer<ReceivedEvent, byte[]> handler) {
        if (handlers.putIfAbsent(handlerName, handler) != null) {
            throw new IllegalStateException("Two consumers share the inbox handler name " + handlerName);
        }
    }

    /**
     * A Spring Cloud Stream <b>batch</b> consumer (binding in {@code batch-mode}) that hands each new event of a
     * poll to {@code handler} once, in the order of the batch (so in order per key), with the same outcome as
     * {@link #consumer}: erasures tombstoned first and parked when their handler fails, other events pseudonymised,
     * a consumer span per event, {@code pathways.inbox.events} per event. What it saves is round trips: the batch's
     * event ids are looked up in one {@code $in} by {@code _id}, and the done-marks of the whole batch are written in
     * one bulk write (see {@link #receiveBatch}). {@code scope} lets the handler merge its own reads and writes.
     */
    public Consumer<Message<List<byte[]>>> batchConsumer(String handlerName, Consumer<ReceivedEvent> handler,
                                                         BatchScope scope) {
        return batchConsumerWithRecord(handlerName, (event, record) -> handler.accept(event), scope);
    }

    /**
     * Like {@link #batchConsumer(String, Consumer, BatchScope)}, but also hands over each record exactly as it was
     * published (the structured CloudEvent JSON, with erased learners' ids pseudonymised as in
     * {@link #consumerWithRecord}), for a handler that forwards the event verbatim, such as webhook delivery.
     */
    public Consumer<Message<List<byte[]>>> batchConsumerWithRecord(String handlerName,
                                                                   BiConsumer<ReceivedEvent, byte[]> handler,
                                                                   BatchScope scope) {
        register(handlerName, handler);
        return message -> receiveBatch(handlerName, event -> true, handler, scope, records(message));
    }

    /**
     * Like {@link #batchConsumer(String, Consumer, BatchScope)}, for a handler that acts on some of the topic's event
     * types only ({@code takes}): the batch's other events are passed over before the inbox, since handling them
     * would change nothing (no look-up, no done-mark, no span; counted as {@code pathways.inbox.events} with outcome
     * {@code passed-over}), and a batch with none it takes costs no round trip to the store. An erasure is never
     * passed over. Wait for such a handler's work with another handler of the same batch, or an event it takes.
     */
    public Consumer<Message<List<byte[]>>> batchConsumer(String handlerName, Predicate<ReceivedEvent> takes,
                                                         Consumer<ReceivedEvent> handler, BatchScope scope) {
        BiConsumer<ReceivedEvent, byte[]> withRecord = (event, record) -> handler.accept(event);
        register(handlerName, withRecord);
        return message -> receiveBatch(handlerName, takes, withRecord, scope, records(message));
    }

    /** As {@link #batchConsumer(String, Consumer, BatchScope)}, for a handler that merges nothing. */
    public Consumer<Message<List<byte[]>>> batchConsumer(String handlerName, Consumer<ReceivedEvent> handler) {
        return batchConsumer(handlerName, handler, BatchScope.NONE);
    }

    /** The records of a batch message, with what the binder tells of each (lists in the order of the payload). */
    private static List<RecordDeadLetters.FailedRecord> records(Message<List<byte[]>> message) {
        List<byte[]> values = message.getPayload();
        List<?> keys = list(message, KafkaHeaders.RECEIVED_KEY);
        List<?> topics = list(message, KafkaHeaders.RECEIVED_TOPIC);
        List<?> partitions = list(message, KafkaHeaders.RECEIVED_PARTITION);
        List<?> offsets = list(message, KafkaHeaders.OFFSET);
        List<?> timestamps = list(message, KafkaHeaders.RECEIVED_TIMESTAMP);
        List<?> headers = list(message, KafkaHeaders.BATCH_CONVERTED_HEADERS);
        List<RecordDeadLetters.FailedRecord> records = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            Map<String, byte[]> recordHeaders = new LinkedHashMap<>();
            if (at(headers, i) instanceof Map<?, ?> map) {
                map.forEach((name, value) -> {
                    byte[] bytes = bytes(value);
                    if (bytes != null && !name.toString().startsWith("kafka_")) {
                        recordHeaders.put(name.toString(), bytes);
                    }
                });
            }
            records.add(new RecordDeadLetters.FailedRecord(String.valueOf(at(topics, i)),
                    at(partitions, i) instanceof Number n ? n.intValue() : -1,
                    at(offsets, i) instanceof Number n ? n.longValue() : -1,
                    at(timestamps, i) instanceof Number n ? n.longValue() : 0, bytes(at(keys, i)), values.get(i),
                    recordHeaders));
        }
        return records;
    }

    private static List<?> list(Message<?> message, String header) {
        return message.getHeaders().get(header) instanceof List<?> list ? list : List.of();
    }

    private static Object at(List<?> list, int index) {
        return index < list.size() ? list.get(index) : null;
    }

    private static byte[] bytes(Object value) {
        return value == null ? null : value instanceof byte[] bytes ? bytes
                : value.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** How the events of one batch find erased learners' tombstones. */
    private static final class Tombstones {
        java.util.function.Function<String, java.util.Optional<ErasedLearner>> lookup;
    }

    /** One event of a batch, with the record it came in. */
    private record Delivered(RecordDeadLetters.FailedRecord record, ReceivedEvent event, String traceparent) {

        String key(String handlerName) {
            return handlerName + ":" + event.id();
        }
    }

    /**
     * One poll's records for one handler. Round trips to the store: one {@code $in} by {@code _id} for the events
     * already done, the handler's own (merged by {@code scope}), and the done-marks ({@link #markDone}); an erasure
     * takes the single-event path (its tombstone first, parked on failure). A failing event is retried as a record
     * consumer's would be ({@link ConsumerRetry}) and then dead-lettered, and the batch goes on: its neighbours are
     * handled once each, before and after it. A malformed record is dead-lettered at once. Anything that escapes (the
     * store or the dead-letter topic is down) first marks done what was handled, then fails the
     * batch, which the binder delivers again (the done ones are then skipped).
     */
    private void receiveBatch(String handlerName, Predicate<ReceivedEvent> takes,
                              BiConsumer<ReceivedEvent, byte[]> handler, BatchScope scope,
                              List<RecordDeadLetters.FailedRecord> records) {
        List<Delivered> batch = new ArrayList<>(records.size());
        int passedOver = 0;
        for (RecordDeadLetters.FailedRecord record : records) {
            byte[] trace = record.headers().get(TraceContext.HEADER);
            String traceparent = trace == null ? null : new String(trace, StandardCharsets.UTF_8);
            try {
                ReceivedEvent event = ReceivedEvent.decode(codec, record.value(), traceparent);
                if (takes.test(event) || event.is(EventType.LEARNER_ERASED)) {
                    batch.add(new Delivered(record, event, traceparent));
                } else {
                    passedOver++;
                }
            } catch (MalformedEventException malformed) {
                deadLetter(handlerName, record, malformed);
            }
        }
        if (passedOver > 0) {
            meters.counter("pathways.inbox.events", "handler", handlerName, "outcome", "passed-over")
                    .increment(passedOver);
            log.debug("Passed over {} events of a batch that {} does not take", passedOver, handlerName);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            receiveBatch(handlerName, handler, scope, records.size(), batch);
        } finally {
            scope.close();
        }
    }

    /** The events of one batch that its handler takes (see above); the caller closes {@code scope}. */
    private void receiveBatch(String handlerName, BiConsumer<ReceivedEvent, byte[]> handler, BatchScope scope,
                              int records, List<Delivered> batch) {
        // What the inbox holds of the batch, then the tombstones of every learner it names (until an erasure in the
        // batch), and at once with both what the handler reads ahead for it. The tombstones after the done-marks: an
        // erasure this batch finds done (by another instance, during a rebalance) wrote its tombstone before its mark,
        // so the read after it finds the tombstone. (A repeated event's learners and read-ahead are read with the
        // others: a repeat is rare, and its ids cost nothing more in the same reads.)
        List<String> keys = batch.stream().map(delivered -> delivered.key(handlerName)).toList();
        Set<String> learners = new HashSet<>();
        batch.forEach(delivered -> learners.addAll(ErasedLearners.learnerIds(delivered.event())));
        Tombstones tombstones = new Tombstones();
        Seen[] read = new Seen[1];
        Runnable ahead = scope.readAhead(batch.stream().map(Delivered::event).toList());
        RoundTrips.atOnce(() -> {
            read[0] = seen(keys);
            tombstones.lookup = erasedLearners.lookUp(learners);    // none named: no round trip
        }, List.of(ahead));
        Seen seen = read[0];
        Set<String> done = seen.done();
        List<Delivered> fresh = new ArrayList<>();
        for (Delivered delivered : batch) {
            if (done.add(delivered.key(handlerName))) {
                fresh.add(delivered);
            } else {
                meters.counter("pathways.inbox.events", "handler", handlerName, "outcome", "duplicate").increment();
                log.debug("Skipping event {} already processed by {}", delivered.event().id(), handlerName);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        List<Delivered> handled = new ArrayList<>(fresh.size());
        RuntimeException escaped = null;
        try {
            scope.begin(fresh.stream().map(Delivered::event).toList());
            for (Delivered delivered : fresh) {
                tracing.inSpan(handlerName + " process", Span.Kind.CONSUMER, delivered.traceparent(),
                        Map.of("messaging.system", "kafka", "messaging.consumer.handler", handlerName,
                                "messaging.batch.message_count", String.valueOf(records)),
                        () -> {
                            if (handleInBatch(handlerName, handler, scope, tombstones, delivered)) {
                                handled.add(delivered);
                            }
                        });
            }
        } catch (RuntimeException failure) {
            escaped = failure;
        }
        try {
            scope.complete();
            if (!handled.isEmpty()) {
                markDone(handlerName, handled, seen.held());
            }
        } catch (RuntimeException failure) {
            if (escaped != null) {
                failure.addSuppressed(escaped);
            }
            throw failure;
        }
        if (escaped != null) {
            throw escaped;
        }
    }

    /** What the inbox holds of a batch's keys: those done, and those it holds in another state (parked, say). */
    private record Seen(Set<String> done, Set<String> held) {
    }

    /** Which of {@code keys} the inbox holds, and which of those are done, in one read by {@code _id}. */
    private Seen seen(List<String> keys) {
        Set<String> done = new HashSet<>();
        Set<String> held = new HashSet<>();
        if (keys.isEmpty()) {
            return new Seen(done, held);
        }
        Query query = Query.query(Criteria.where("_id").in(keys));
        query.fields().include("status");
        for (Document record : mongo.find(query, Document.class, COLLECTION)) {
            if ("DONE".equals(record.getString("status"))) {
                done.add(record.getString("_id"));
            } else {
                held.add(record.getString("_id"));
            }
        }
        // What is not done stays out of the set: receiveBatch adds each key as it goes, to see repeats in the batch.
        return new Seen(done, held);
    }

    /**
     * One event of a batch: true once it was handled and is to be marked done with the batch; false when it was
     * dead-lettered, or was an erasure (marked or parked on its own path).
     */
    private boolean handleInBatch(String handlerName, BiConsumer<ReceivedEvent, byte[]> handler, BatchScope scope,
                                  Tombstones tombstones, Delivered delivered) {
        ReceivedEvent event = delivered.event();
        byte[] record = delivered.record().value();
        if (event.is(EventType.LEARNER_ERASED)) {
            tombstones.lookup = erasedLearners::find;  // from here on, the tombstones as they are in the store
            // Its own path, as in a record consumer (marked done on its own, or parked): what the events before it
            // held back is written first, and what it holds back itself before it is marked done.
            scope.complete();
            try {
                receive(handlerName, (erasure, erasureRecord) -> {
                    handler.accept(erasure, erasureRecord);
                    scope.complete();
                }, record, delivered.traceparent());
            } catch (MalformedEventException malformed) {
                deadLetter(handlerName, delivered.record(), malformed);
            }
            return false;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                ErasedLearners.Received seen = erasedLearners.pseudonymise(event, record, tombstones.lookup);
                handler.accept(seen.event(), seen.record());
                return true;
            } catch (MalformedEventException malformed) {
                deadLetter(handlerName, delivered.record(), malformed);
                return false;
            } catch (RuntimeException failure) {
                if (attempt >= retry.maxAttempts()) {
                    deadLetter(handlerName, delivered.record(), failure);
                    return false;
                }
                log.debug("Event {} failed in {} (attempt {}), trying again", event.id(), handlerName, attempt);
                sleep(retry.backOff(attempt));
            }
        }
    }

    private void deadLetter(String handlerName, RecordDeadLetters.FailedRecord record, RuntimeException failure) {
        if (deadLetters == null) {
            throw failure;
        }
        deadLetters.deadLetter(record, failure);
        log.warn("Dead-lettered a record of {} partition {} offset {} for handler {} ({})", record.topic(),
                record.partition(), record.offset(), handlerName, failure.getClass().getSimpleName());
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while retrying an event", interrupted);
        }
    }

    /**
     * The done-marks of every handled event of a batch: one unordered bulk insert of those the inbox did not hold when
     * the batch began (an insert is the store's cheapest write: no look-up, no update to work out), and one unordered
     * bulk upsert by {@code _id} of those it held in another state. A mark another instance wrote meanwhile (during a
     * rebalance) refuses the insert; that event is then upserted, so it ends done either way.
     */
    private void markDone(String handlerName, List<Delivered> handled, Set<String> held) {
        Date now = Date.from(clock.instant());
        List<Document> fresh = new ArrayList<>(handled.size());
        List<Delivered> toUpsert = new ArrayList<>();
        for (Delivered delivered : handled) {
            if (held.contains(delivered.key(handlerName))) {
                toUpsert.add(delivered);
            } else {
                fresh.add(newDoneMark(handlerName, delivered, now));
            }
        }
        // A mark another instance wrote meanwhile refuses the insert: that event is upserted instead.
        Set<String> refused = new HashSet<>();
        UniqueInserts.insertNew(mongo, COLLECTION, fresh).stream()
                .forEach(position -> refused.add(fresh.get(position).getString("_id")));
        handled.stream().filter(delivered -> refused.contains(delivered.key(handlerName))).forEach(toUpsert::add);
        if (!toUpsert.isEmpty()) {
            BulkOperations marks = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, COLLECTION);
            for (Delivered delivered : toUpsert) {
                marks.upsert(Query.query(Criteria.where("_id").is(delivered.key(handlerName))),
                        doneMark(handlerName, delivered.event(), now));
            }
            try {
                marks.execute();
            } catch (BulkOperationException raced) {
                // Another instance marked some at the same moment (during a rebalance): done either way.
                if (raced.getErrors().stream().anyMatch(error -> error.getCode() != 11000)) {
                    throw raced;
                }
            }
        }
        meters.counter("pathways.inbox.events", "handler", handlerName, "outcome", "processed")
                .increment(handled.size());
    }

    /** The done-mark {@link #doneMark} upserts, as the document it inserts where there was none. */
    private static Document newDoneMark(String handlerName, Delivered delivered, Date now) {
        return new Document("_id", delivered.key(handlerName)).append("status", "DONE").append("processedAt", now)
                .append("handler", handlerName).append("eventId", delivered.event().id())
                .append("type", delivered.event().type()).append("receivedAt", now);
    }

    private static Update doneMark(String handlerName, ReceivedEvent event, Date now) {
        return new Update().set("status", "DONE").set("processedAt", now)
                .setOnInsert("handler", handlerName).setOnInsert("eventId", event.id())
                .setOnInsert("type", event.type()).setOnInsert("receivedAt", now);
    }

    /**
     * One record for one handler: an erasure is tombstoned first and parked if its handler fails; anything else
     * reaches the handler with erased learners' ids pseudonymised.
     */
    private void receive(String handlerName, byte[] record, String traceparent) {
        receive(handlerName, handlers.get(handlerName), record, traceparent);
    }

    private void receive(String handlerName, BiConsumer<ReceivedEvent, byte[]> handler, byte[] record,
                         String traceparent) {
        ReceivedEvent event = ReceivedEvent.decode(codec, record, traceparent);
        if (!event.is(EventType.LEARNER_ERASED)) {
            ErasedLearners.Received seen = erasedLearners.pseudonymise(event, record);
            handle(handlerName, seen.event(), received -> handler.accept(received, seen.record()));
            return;
        }
        LearnerErased erased = event.data(LearnerErased.class);
        if (erased.learnerId() == null || erased.erasedAt() == null) {
            throw new MalformedEventException("Erasure event " + event.id() + " names no learner or time");
        }
        try {
            erasedLearners.record(erased.learnerId(), erased.erasedAt());
            handle(handlerName, event, received -> handler.accept(received, record));
        } catch (RuntimeException failure) {
            // Never dead-lettered: retried from the parking place until the fault clears.
            parkUntilKept(handlerName, event.id(), record, traceparent, failure);
        }
    }

    /**
     * Parks a failed erasure; while even that fails (the store is down), waits and tries again rather than let the
     * binder dead-letter it: nothing on this partition could be processed without the store anyway.
     */
    private void parkUntilKept(String handlerName, String eventId, byte[] record, String traceparent,
                               RuntimeException failure) {
        for (long waitMillis = 500; ; waitMillis = Math.min(waitMillis * 2, 30_000)) {
            try {
                parkedErasures.park(handlerName, eventId, record, traceparent, failure);
                return;
            } catch (RuntimeException storeDown) {
                log.error("Could not park erasure event {} for handler {} ({}); trying again", eventId, handlerName,
                        storeDown.getClass().getSimpleName());
                try {
                    Thread.sleep(waitMillis);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw storeDown;
                }
            }
        }
    }

    /** Hands every parked erasure whose time has come back to its handler (on every instance, one row at a time). */
    @Scheduled(fixedDelayString = "${pathways.messaging.inbox.erasure-retry.check-every:PT1S}",
            initialDelayString = "${pathways.messaging.inbox.erasure-retry.check-every:PT1S}")
    public void reapplyParkedErasures() {
        for (ParkedErasures.Parked due = parkedErasures.due(); due != null; due = parkedErasures.due()) {
            ParkedErasures.Parked parked = due;
            BiConsumer<ReceivedEvent, byte[]> handler = handlers.get(parked.handler());
            if (handler == null) {
                log.warn("A parked erasure waits for handler {}, which this instance does not run", parked.handler());
                continue;
            }
            ReceivedEvent event = ReceivedEvent.decode(codec, parked.record(), parked.traceparent());
            try {
                tracing.inSpan(parked.handler() + " process parked", Span.Kind.CONSUMER, parked.traceparent(),
                        Map.of("messaging.consumer.handler", parked.handler()), () ->
                                handle(parked.handler(), event, received -> handler.accept(received, parked.record())));
                parkedErasures.applied(parked.key(), parked.attempts());
            } catch (RuntimeException failure) {
                parkedErasures.park(parked.handler(), event.id(), parked.record(), parked.traceparent(), failure);
            }
        }
    }

    /**
     * Processes {@code event} with {@code handler} unless this handler already finished it. Two round trips to the
     * store: is it done (by {@code _id}), and, once the handler succeeded, mark it done (an upsert by {@code _id}).
     * Nothing is written before the handler runs: a crash mid-way leaves no mark, so the event is processed again.
     */
    public boolean handle(String handlerName, ReceivedEvent event, Consumer<ReceivedEvent> handler) {
        String key = handlerName + ":" + event.id();
        // By _id alone: the embedded store serves a query from an index only when its fields are exactly the index's.
        Document seen = mongo.findById(key, Document.class, COLLECTION);
        if (seen != null && "DONE".equals(seen.getString("status"))) {
            meters.counter("pathways.inbox.events", "handler", handlerName, "outcome", "duplicate").increment();
            log.debug("Skipping event {} already processed by {}", event.id(), handlerName);
            return false;
        }
        if (inTransaction(handlerName)) {
            // The effect and the mark commit together; a conflict aborts both and the binder retries the event.
            transactions.run(() -> {
                handler.accept(event);
                markDone(key, handlerName, event);
            });
        } else {
            handler.accept(event);
            try {
                markDone(key, handlerName, event);
            } catch (DuplicateKeyException raced) {
                // Another instance marked it at the same moment (during a rebalance): it is done either way.
                log.debug("Event {} was marked processed by {} concurrently", event.id(), handlerName);
            }
        }
        meters.counter("pathways.inbox.events", "handler", handlerName, "outcome", "processed").increment();
        return true;
    }

    private void markDone(String key, String handlerName, ReceivedEvent event) {
        mongo.upsert(Query.query(Criteria.where("_id").is(key)), doneMark(handlerName, event,
                Date.from(clock.instant())), COLLECTION);
    }

    /** Forgets processed ids after the retention period (the embedded store has no TTL indexes). */
    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT1M")
    public void forgetOldEntries() {
        Date before = Date.from(clock.instant().minus(retention));
        mongo.remove(Query.query(Criteria.where("status").is("DONE").and("processedAt").lt(before)), COLLECTION);
    }

    /** How many events a handler has finished, for tests and diagnostics. */
    public long processedCount(String handlerName) {
        return mongo.count(Query.query(Criteria.where("handler").is(handlerName).and("status").is("DONE")),
                COLLECTION);
    }
}
