package org.pathways.messaging.inbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.bson.Document;
import org.bson.types.Binary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;

/**
 * Erasures a handler could not apply yet ({@value #COLLECTION}): a {@code learner.erased} is never dead-lettered
 * and forgotten. Its handler's first failure parks the record here (the partition moves on), and {@link #due}
 * hands it back for another attempt with capped exponential back-off, for as long as it takes: the fault (a store
 * down, a bug fixed by a redeploy) clears, and the erasure is applied. A success removes it. Each row holds the
 * handler's name, the event record (ids only: an erasure event carries no personal data) and when to try next.
 */
public class ParkedErasures {

    static final String COLLECTION = "parked-erasures";
    private static final Logger log = LoggerFactory.getLogger(ParkedErasures.class);

    /** One parked erasure, as handed back for another attempt. */
    public record Parked(String key, String handler, byte[] record, String traceparent, int attempts) {
    }

    private final MongoTemplate mongo;
    private final Clock clock;
    private final Duration firstBackOff;
    private final Duration maxBackOff;

    public ParkedErasures(MongoTemplate mongo, Clock clock, Duration firstBackOff, Duration maxBackOff,
                          MeterRegistry meters) {
        this.mongo = mongo;
        this.clock = clock;
        this.firstBackOff = firstBackOff;
        this.maxBackOff = maxBackOff;
        Gauge.builder("pathways.inbox.parked-erasures", this, ParkedErasures::count)
                .description("learner.erased events waiting for a handler to apply them").register(meters);
    }

    /** Parks (or keeps parked, one attempt more) the erasure {@code eventId} for {@code handler}. */
    public void park(String handler, String eventId, byte[] record, String traceparent, RuntimeException failure) {
        String key = handler + ":" + eventId;
        Document existing = mongo.findById(key, Document.class, COLLECTION);
        int attempts = existing == null ? 1 : existing.getInteger("attempts", 0) + 1;
        Instant next = clock.instant().plus(backOff(attempts));
        mongo.upsert(Query.query(Criteria.where("_id").is(key)), new Update()
                .set("handler", handler).set("eventId", eventId).set("record", new Binary(record))
                .set("traceparent", traceparent).set("attempts", attempts).set("nextAttemptAt", Date.from(next))
                .set("lastFailure", failure.getClass().getName()).setOnInsert("parkedAt", Date.from(clock.instant())),
                COLLECTION);
        log.warn("Erasure event {} failed in handler {} (attempt {}, {}); parked, next attempt at {}", eventId,
                handler, attempts, failure.getClass().getSimpleName(), next);
    }

    /**
     * Takes the next parked erasure whose time has come, pushing its next attempt on by the back-off first, so that
     * another instance does not take it meanwhile and a crash mid-attempt only delays it.
     */
    public Parked due() {
        Instant now = clock.instant();
        Document taken = mongo.findAndModify(Query.query(Criteria.where("nextAttemptAt").lte(Date.from(now))),
                new Update().set("nextAttemptAt", Date.from(now.plus(maxBackOff))),
                FindAndModifyOptions.options().returnNew(false), Document.class, COLLECTION);
        if (taken == null) {
            return null;
        }
        Object record = taken.get("record");
        byte[] bytes = record instanceof Binary binary ? binary.getData() : (byte[]) record;
        return new Parked(taken.getString("_id"), taken.getString("handler"), bytes, taken.getString("traceparent"),
                taken.getInteger("attempts", 0));
    }

    public void applied(String key, int attempts) {
        mongo.remove(Query.query(Criteria.where("_id").is(key)), COLLECTION);
        log.info("A parked erasure was applied after {} failed attempts", attempts);
    }

    public long count() {
        return mongo.count(new Query(), COLLECTION);
    }

    private Duration backOff(int attempts) {
        Duration delay = firstBackOff.multipliedBy(1L << Math.min(attempts - 1, 20));
        return delay.compareTo(maxBackOff) > 0 ? maxBackOff : delay;
    }
}
