package org.pathways.messaging.inbox;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import org.bson.Document;
import org.pathways.messaging.TraceContext;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 */
public class EventInbox {

    private static final Logger log = LoggerFactory.getLogger(EventInbox.class);
    static final String COLLECTION = "inbox";

    private final MongoTemplate mongo;
    private final CloudEventCodec codec;
    private final Clock clock;
    private final Duration retention;
    private final MeterRegistry meters;

    public EventInbox(MongoTemplate mongo, CloudEventCodec codec, Clock clock, Duration retention,
                      MeterRegistry meters) {
        this.mongo = mongo;
        this.codec = codec;
        this.clock = clock;
        this.retention = retention;
        this.meters = meters;
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
        return message -> {
            Object trace = message.getHeaders().get(TraceContext.HEADER);
            String traceparent = trace instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                    : trace != null ? trace.toString() : null;
            byte[] record = message.getPayload();
            ReceivedEvent event = codec.decode(record, traceparent);
            handle(handlerName, event, received -> handler.accept(received, record));
        };
    }

    /** Processes {@code event} with {@code handler} unless this handler already finished it. */
    public boolean handle(String handlerName, ReceivedEvent event, Consumer<ReceivedEvent> handler) {
        String key = handlerName + ":" + event.id();
        Document seen = mongo.findById(key, Document.class, COLLECTION);
        if (seen != null && "DONE".equals(seen.getString("status"))) {
            meters.counter("pathways.inbox.events", "handler", handlerName, "outcome", "duplicate").increment();
            log.debug("Skipping event {} already processed by {}", event.id(), handlerName);
            return false;
        }
        if (seen == null) {
            try {
                mongo.insert(new Document("_id", key).append("handler", handlerName).append("eventId", event.id())
                        .append("type", event.type()).append("status", "PROCESSING")
                        .append("receivedAt", Date.from(clock.instant())), COLLECTION);
            } catch (DuplicateKeyException raced) {
                // Another instance took it during a rebalance; whichever finishes marks it done.
                log.debug("Event {} is being processed concurrently by {}", event.id(), handlerName);
            }
        }
        TraceContext.whileConsuming(event.traceparent(), () -> handler.accept(event));
        mongo.updateFirst(Query.query(Criteria.where("_id").is(key)),
                new Update().set("status", "DONE").set("processedAt", Date.from(clock.instant())), COLLECTION);
        meters.counter("pathways.inbox.events", "handler", handlerName, "outcome", "processed").increment();
        return true;
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
