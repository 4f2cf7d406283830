package org.pathways.referral.rerouting;

import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bson.Document;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * The saga log of re-routes ({@value #COLLECTION}): one row per re-route from before its first write until after its
 * last, keyed by the successor's id. A row still here after the re-route's grace period is a re-route a crash
 * interrupted; {@link RerouteRecovery} finishes it. The collection holds only re-routes in flight, so it stays small.
 */
@Component
class ReroutesInProgress {

    static final String COLLECTION = "reroutes-in-progress";

    /** One re-route in flight: the referral being closed and its successor. */
    record InProgress(String nextId, String originalId, Instant startedAt) {
    }

    private final MongoTemplate mongo;

    ReroutesInProgress(MongoTemplate mongo) {
        this.mongo = mongo;
        mongo.indexOps(COLLECTION).createIndex(new Index().on("startedAt", Sort.Direction.ASC));
    }

    void begin(String originalId, String nextId, Instant now) {
        mongo.insert(new Document("_id", nextId).append("originalId", originalId).append("startedAt", Date.from(now)),
                COLLECTION);
    }

    void finished(String nextId) {
        mongo.remove(Query.query(Criteria.where("_id").is(nextId)), COLLECTION);
    }

    List<InProgress> startedBefore(Instant before) {
        return mongo.find(Query.query(Criteria.where("startedAt").lt(Date.from(before))), Document.class, COLLECTION)
                .stream()
                .map(row -> new InProgress(row.getString("_id"), row.getString("originalId"),
                        row.getDate("startedAt").toInstant()))
                .toList();
    }
}
