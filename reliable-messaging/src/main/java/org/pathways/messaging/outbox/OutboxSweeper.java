package org.pathways.messaging.outbox;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;

import org.bson.Document;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The safety net of the outbox: finds events that were written but not published a little while later (the
 * process died, Kafka was down, the relay queue was full) and relays them. Runs on every instance; the relay's lease
 * keeps two instances off the same aggregate.
 */
public class OutboxSweeper {

    private static final int BATCH = 200;

    private final MongoTemplate mongo;
    private final OutboxRelay relay;
    private final List<String> collections;
    private final Duration grace;
    private final Clock clock;

    public OutboxSweeper(MongoTemplate mongo, OutboxRelay relay, List<String> collections, Duration grace,
                         Clock clock) {
        this.mongo = mongo;
        this.relay = relay;
        this.collections = List.copyOf(collections);
        this.grace = grace;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${pathways.messaging.outbox.sweep-interval:1s}",
            initialDelayString = "${pathways.messaging.outbox.sweep-interval:1s}")
    public void sweepOnSchedule() {
        sweep();
    }

    /** @return how many events were published */
    public int sweep() {
        Date stale = Date.from(clock.instant().minus(grace));
        Date now = Date.from(clock.instant());
        int published = 0;
        for (String collection : collections) {
            // "Any entry older than the grace" (entries are appended in time order, so this is the first one), written
            // so that the multikey index on outbox.recordedAt serves it; a positional path (outbox.0...) would not.
            Query query = Query.query(Criteria.where(OutboxEntry.FIELD + ".recordedAt").lt(stale)
                    .orOperator(Criteria.where(OutboxRelay.LEASE).exists(false),
                            Criteria.where(OutboxRelay.LEASE).is(null),
                            Criteria.where(OutboxRelay.LEASE).lt(now)))
                    .limit(BATCH);
            query.fields().include("_id");
            for (Document pending : mongo.find(query, Document.class, collection)) {
                published += relay.drain(collection, pending.get("_id"));
            }
        }
        return published;
    }
}
