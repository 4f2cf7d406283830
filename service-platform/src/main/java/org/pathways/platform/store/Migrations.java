package org.pathways.platform.store;

import java.time.Clock;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;

/**
 * The one-off work a service does to its store at start (a read model built from what was kept before it existed,
 * documents moved out into a new shape), each done once per store and noted by its name in one collection of that
 * store ({@code {_id: name, at: instant}}), so that later starts skip it. A note with that {@code _id} counts as done,
 * whatever else it holds: the notes the services wrote before this class existed still count.
 *
 * <p><b>Two instances starting at once</b>: the work must be idempotent (repeatable with nothing changed the second
 * time), and the note is written after it. Both instances may do the work; the second changes nothing, and the note
 * is kept once (an upsert by {@code _id}; the one that loses a race on it finds it written). A crash in the middle
 * leaves no note, so the next start does the work again. Claiming the note first (an insert with a unique
 * {@code _id} before the work) is the other way, and is not taken here: the instance that lost the claim would go on
 * to serve before the work was done, and a crash after the claim would leave work noted as done that never finished
 * (claims would then need a state and a lease). This way every instance returns from {@link #once} only once the work
 * is done, by this start or by one before it.
 *
 * @param mongo the service's store
 * @param collection where the store's migrations are noted (one per service, e.g. {@code learner-migrations})
 * @param clock the time a note is written with
 */
public record Migrations(MongoTemplate mongo, String collection, Clock clock) {

    /**
     * Does {@code work} unless a note named {@code name} is there, then notes it. Returns whether it did the work. An
     * exception from the work leaves no note and reaches the caller (a start that fails, to be tried again).
     */
    public boolean once(String name, Runnable work) {
        Query noted = Query.query(Criteria.where("_id").is(name));
        if (mongo.exists(noted, collection)) {
            return false;
        }
        work.run();
        try {
            mongo.upsert(noted, new Update().setOnInsert("at", clock.instant()), collection);
        } catch (DuplicateKeyException noteWrittenMeanwhile) {
            // Another instance did the same work and noted it first: done either way.
        }
        return true;
    }
}
