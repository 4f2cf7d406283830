package org.pathways.messaging.deadletter;

import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.bson.Document;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/**
 * What was done about each dead letter ({@value #COLLECTION}), keyed by its coordinates on the dead-letter topic
 * ({@code <topic>:<partition>:<offset>}), since the topic itself never changes. A row is written once, by an insert:
 * a second re-drive or discard of the same record finds the key taken, so it is done at most once however many
 * administrators try at the same moment.
 */
public class DeadLetterStates {

    static final String COLLECTION = "dead-letters";

    private final MongoTemplate mongo;
    private final String topic;

    public DeadLetterStates(MongoTemplate mongo, String topic) {
        this.mongo = mongo;
        this.topic = topic;
    }

    /** Records the resolution of {@code id}, or answers the one recorded before (nothing is written then). */
    Optional<Resolved> claim(String id, String eventId, DeadLetter.State state, DeadLetter.DeadLetterResolution how) {
        Document row = new Document("_id", key(id)).append("topic", topic).append("deadLetterId", id)
                .append("eventId", eventId).append("state", state.name()).append("by", how.by())
                .append("at", Date.from(how.at())).append("reason", how.reason());
        try {
            mongo.insert(row, COLLECTION);
            return Optional.empty();
        } catch (DuplicateKeyException taken) {
            return find(id);
        }
    }

    /** Takes back a claim whose re-drive could not be sent, so that it may be tried again. */
    void release(String id) {
        mongo.remove(Query.query(Criteria.where("_id").is(key(id))), COLLECTION);
    }

    Optional<Resolved> find(String id) {
        return Optional.ofNullable(mongo.findById(key(id), Document.class, COLLECTION)).map(DeadLetterStates::of);
    }

    /** The resolutions of the given dead letters, by id (one query by {@code _id}). */
    Map<String, Resolved> of(Collection<String> ids) {
        Map<String, Resolved> found = new HashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        mongo.find(Query.query(Criteria.where("_id").in(ids.stream().map(this::key).toList())), Document.class,
                COLLECTION).forEach(row -> found.put(row.getString("deadLetterId"), of(row)));
        return found;
    }

    private String key(String id) {
        return topic + ":" + id.replace('-', ':');
    }

    private static Resolved of(Document row) {
        Date at = row.getDate("at");
        return new Resolved(DeadLetter.State.valueOf(row.getString("state")),
                new DeadLetter.DeadLetterResolution(row.getString("by"), at == null ? null : at.toInstant(),
                        row.getString("reason")));
    }

    record Resolved(DeadLetter.State state, DeadLetter.DeadLetterResolution resolution) {
    }
}
