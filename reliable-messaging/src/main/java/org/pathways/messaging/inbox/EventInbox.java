package org.pathways.messaging.inbox;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import org.bson.Document;
import org.pathways.events.EventType;
import org.pathways.events.learner.LearnerErased;
import org.pathways.messaging.TraceContext;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.micrometer.tracing.Span;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
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
        if (handlers.putIfAbsent(handlerName, handler) != null) {
            throw new IllegalStateException("Two consumers share the inbox handler name " + handlerName);
        }
        return message -> {
            Object trace = message.getHeaders().get(TraceContext.HEADER);
            String traceparent = trace instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                    : trace != null ? trace.toString() : null;
            tracing.inSpan(handlerName + " process", Span.Kind.CONSUMER, traceparent,
                    Map.of("messaging.system", "kafka", "messaging.consumer.handler", handlerName),
                    () -> receive(handlerName, message.getPayload(), traceparent));
        };
    }

    /**
     * One record for one handler: an erasure is tombstoned first and parked if its handler fails; anything else
     * reaches the handler with erased learners' ids pseudonymised.
     */
    private void receive(String handlerName, byte[] record, String traceparent) {
        BiConsumer<ReceivedEvent, byte[]> handler = handlers.get(handlerName);
        ReceivedEvent event = codec.decode(record, traceparent);
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
            ReceivedEvent event = codec.decode(parked.record(), parked.traceparent());
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
        Date now = Date.from(clock.instant());
        Update done = new Update().set("status", "DONE").set("processedAt", now)
                .setOnInsert("handler", handlerName).setOnInsert("eventId", event.id())
                .setOnInsert("type", event.type()).setOnInsert("receivedAt", now);
        mongo.upsert(Query.query(Criteria.where("_id").is(key)), done, COLLECTION);
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
