package org.pathways.testing;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.bson.Document;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/**
 * Whether a service finished handling an event, read from its inbox (reliable-messaging's {@code inbox} collection,
 * one entry per handler and event, {@code DONE} once the handler succeeded). Proves an event was consumed before a
 * test asserts that nothing came of it, instead of waiting out a quiet time window.
 */
public final class HandledEvents {

    private HandledEvents() {
    }

    /** Whether the inbox handler {@code handler} has finished the event {@code eventId}. */
    public static boolean handled(MongoTemplate mongo, String handler, String eventId) {
        Document entry = mongo.findById(handler + ":" + eventId, Document.class, "inbox");
        return entry != null && "DONE".equals(entry.getString("status"));
    }

    /** Whether any of the service's inbox handlers has finished the event {@code eventId}. */
    public static boolean handledByAny(MongoTemplate mongo, String eventId) {
        return mongo.exists(Query.query(Criteria.where("eventId").is(eventId).and("status").is("DONE")), "inbox");
    }

    /** Waits (polling, no fixed sleep) until the handler {@code handler} has finished the event {@code eventId}. */
    public static void awaitHandled(MongoTemplate mongo, String handler, String eventId, Duration deadline) {
        Awaitility.await().atMost(deadline).until(() -> handled(mongo, handler, eventId));
    }
}
