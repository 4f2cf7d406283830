package org.pathways.messaging.inbox;

import java.util.List;

import com.mongodb.client.result.UpdateResult;
import org.bson.Document;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;

/**
 * Applies a handler's effect on one document <b>together with the event's id</b>, in one atomic write, so that the
 * effect happens once per event even if the process dies between the effect and the inbox's "done" mark (the inbox
 * marks an event done in a separate write after its handler; a crash in between runs the handler again).
 *
 * <p>The document keeps the ids of the last {@code keep} events applied to it ({@value #FIELD}, a bounded set:
 * {@code $push} with {@code $slice}). Applying reads that set by {@code _id} (only that field); if the event is in it,
 * nothing is written; otherwise one update by {@code _id} applies the effect and records the id. A redelivery after a
 * crash is one of the events the consumer had not committed, at most a poll's worth (500 records per partition), so
 * a set of 1000 recognises it; the inbox still recognises anything older. Like the inbox's own check, the read and
 * the write are not one operation: two deliveries of one event at the same instant (a rebalance mid-event) could
 * both apply it, exactly as today; what this closes is the crash window.
 *
 * <p>For effects on one document only: an effect on several documents records the id in each (each is then applied
 * once), or needs a transaction where a replica set is present.
 */
public class AppliedEvents {

    /** The field of a document that holds the ids of the last events applied to it. */
    public static final String FIELD = "appliedEvents";

    private final MongoTemplate mongo;
    private final int keep;

    public AppliedEvents(MongoTemplate mongo, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("Keep at least one applied event id");
        }
        this.mongo = mongo;
        this.keep = keep;
    }

    /**
     * Applies {@code effect} to document {@code id} of {@code collection} and records {@code eventId} there, in one
     * update, unless that event was already applied to it. With {@code upsert} a missing document is created.
     *
     * @return whether the effect was applied now (false: this event had already been applied, nothing written; or
     *         the document does not exist and {@code upsert} is false)
     */
    public boolean applyOnce(String collection, Object id, String eventId, Update effect, boolean upsert) {
        Query byId = Query.query(Criteria.where("_id").is(id));
        Query appliedOnly = Query.query(Criteria.where("_id").is(id));
        appliedOnly.fields().include(FIELD);
        Document seen = mongo.findOne(appliedOnly, Document.class, collection);
        if (seen != null && seen.getList(FIELD, String.class, List.of()).contains(eventId)) {
            return false;
        }
        effect.push(FIELD).slice(-keep).each(eventId);
        if (upsert) {
            UpdateResult result = mongo.upsert(byId, effect, collection);
            return result.getMatchedCount() > 0 || result.getUpsertedId() != null;
        }
        return mongo.updateFirst(byId, effect, collection).getMatchedCount() > 0;
    }

    /**
     * For a batch consumer that read the document ahead (with {@value #FIELD}) and writes it in a bulk write of its
     * own: {@code effect} with {@code eventIds} recorded as applied, bounded as {@link #applyOnce} bounds them. The
     * caller checks {@link #appliedIn} first and writes the effect and the ids in that one update by {@code _id}.
     */
    public Update recording(Update effect, java.util.Collection<String> eventIds) {
        if (!eventIds.isEmpty()) {
            effect.push(FIELD).slice(-keep).each(eventIds.toArray());
        }
        return effect;
    }

    /** The ids of the last events applied to {@code document} as read (none for a missing document). */
    public static List<String> appliedIn(Document document) {
        return document == null ? List.of() : document.getList(FIELD, String.class, List.of());
    }

    /** Whether {@code eventId} is among the last events applied to the document (for tests and diagnostics). */
    public boolean applied(String collection, Object id, String eventId) {
        Document seen = mongo.findById(id, Document.class, collection);
        return seen != null && seen.getList(FIELD, String.class, List.of()).contains(eventId);
    }
}
