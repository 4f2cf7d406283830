package org.pathways.messaging.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The safety net of the outbox: relays events that were written but not published a little while later. Runs on
 * every instance; the relay's lease keeps two instances off the same aggregate.
 *
 * <p>Every {@code sweep-interval} it retries what this instance queued and has not seen through (Kafka was down, the
 * relay queue was full): a list in memory, so the frequent sweep costs nothing however much is stored. Only what a
 * process that died left behind needs a search of the collections, which reads every document on a store without
 * secondary indexes (the embedded one) and locks the collection meanwhile: that full sweep runs at start and then
 * every {@code full-sweep-interval} (1 min), so an event stranded by a crash is published within about a minute.
 */
public class OutboxSweeper {

    private static final Logger log = LoggerFactory.getLogger(OutboxSweeper.class);
    private static final int BATCH = 200;

    private final MongoTemplate mongo;
    private final OutboxRelay relay;
    private final List<String> collections;
    private final Duration grace;
    private final Duration fullSweepInterval;
    private final Clock clock;
    private volatile Instant lastFullSweep;

    public OutboxSweeper(MongoTemplate mongo, OutboxRelay relay, List<String> collections, Duration grace,
                         Duration fullSweepInterval, Clock clock) {
        this.fullSweepInterval = fullSweepInterval;
        this.mongo = mongo;
        this.relay = relay;
        this.collections = List.copyOf(collections);
        this.grace = grace;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${pathways.messaging.outbox.sweep-interval:1s}",
            initialDelayString = "${pathways.messaging.outbox.sweep-interval:1s}")
    public void sweepOnSchedule() {
        Instant now = clock.instant();
        int published = relay.retryUnfinished(now.minus(grace));
        if (lastFullSweep == null || !now.isBefore(lastFullSweep.plus(fullSweepInterval))) {
            lastFullSweep = now;
            published += sweep();
        }
        if (published > 0) {
            log.info("The outbox sweeper published {} events left behind", published);
        }
    }

    /**
     * Searches every outbox collection for events older than the grace period and relays them.
     *
     * @return how many events were published
     */
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
