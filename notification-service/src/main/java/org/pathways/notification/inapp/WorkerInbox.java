package org.pathways.notification.inapp;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.pathways.messaging.inbox.RoundTrips;
import org.pathways.messaging.store.UniqueInserts;
import org.pathways.notification.config.NotificationProperties;
import org.pathways.notification.notice.Notice;
import org.pathways.platform.store.GuardIndexes;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.MongoPersistentEntityIndexResolver;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/** The in-app inbox of each agency's workers: what needs a person, with read and unread per worker. */
@Component
public class WorkerInbox implements InitializingBean {

    private final MongoTemplate mongo;
    private final NotificationProperties properties;
    private final Clock clock;

    WorkerInbox(MongoTemplate mongo, NotificationProperties properties, Clock clock) {
        this.mongo = mongo;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public void afterPropertiesSet() {
        var indexes = mongo.indexOps(InAppNotification.class);
        new MongoPersistentEntityIndexResolver(mongo.getConverter().getMappingContext())
                .resolveIndexFor(InAppNotification.class).forEach(indexes::createIndex);
        // A notice marked read by id within its agency: served by index on the embedded store too.
        GuardIndexes.declare(mongo, mongo.getCollectionName(InAppNotification.class), "agencyId");
    }

    /** Deletes the notifications made before {@code cutOff}, read or not; returns how many went. */
    public long purgeCreatedBefore(Instant cutOff) {
        return mongo.remove(Query.query(Criteria.where("createdAt").lt(cutOff)), InAppNotification.class)
                .getDeletedCount();
    }

    /** The notices this thread's batch holds back, in order; none outside a batch. */
    private final ThreadLocal<List<InAppNotification>> batch = new ThreadLocal<>();

    /** From now until {@link #endBatch}, this thread's notices are held back until {@link #takeBatch} writes them. */
    public void beginBatch() {
        batch.set(new ArrayList<>());
    }

    /**
     * The write of the notices held back so far, in one bulk insert (the unique index refuses those already there):
     * taken from this thread's batch now and made by the runnable on any thread (at once with the batch's other
     * writes) while this thread waits for it; forgotten only once written ({@link RoundTrips#writeHeld}).
     */
    public Runnable takeBatch() {
        return RoundTrips.writeHeld(batch.get(),
                notices -> UniqueInserts.insertNew(mongo, InAppNotification.class, notices));
    }

    /** Forgets what this thread's batch held back (written or not). */
    public void endBatch() {
        batch.remove();
    }

    /** Puts a notice in its agency's inbox, once however often it is told (in a batch: when it completes). */
    public void add(Notice notice) {
        InAppNotification notification = new InAppNotification("ntf-" + UUID.randomUUID(), notice.agencyId(),
                notice.kind(), notice.eventId(), notice.referralId(), notice.learnerId(),
                properties.linkOf(notice.kind(), notice.referralId(), notice.learnerId()), clock.instant(), List.of());
        List<InAppNotification> held = batch.get();
        if (held != null) {
            held.add(notification);
            return;
        }
        // One round trip: the unique (agency, event, kind) index refuses a second copy.
        try {
            mongo.insert(notification);
        } catch (DuplicateKeyException alreadyThere) {
            // told already (a repeat of the event, or twice at once)
        }
    }

    /**
     * An erased learner's notifications keep no trace of their id: it becomes {@code erased}, and the link goes to
     * the web app's start page. Returns how many changed.
     */
    public long pseudonymise(java.util.Collection<String> learnerIds, String pseudonym) {
        return mongo.updateMulti(Query.query(Criteria.where("learnerId").in(learnerIds)), new Update()
                .set("learnerId", pseudonym).set("link", properties.webBaseUrl()), InAppNotification.class)
                .getModifiedCount();
    }

    List<InAppNotification> of(String agencyId, String userId, boolean unreadOnly, int limit) {
        Criteria criteria = Criteria.where("agencyId").is(agencyId);
        if (unreadOnly) {
            criteria = criteria.and("readBy").ne(userId);
        }
        return mongo.find(Query.query(criteria).with(Sort.by(Sort.Direction.DESC, "createdAt")).limit(limit),
                InAppNotification.class);
    }

    long unread(String agencyId, String userId) {
        return mongo.count(Query.query(Criteria.where("agencyId").is(agencyId).and("readBy").ne(userId)),
                InAppNotification.class);
    }

    /** Marks one of the agency's notifications read for this worker; false if the agency has no such one. */
    boolean markRead(String agencyId, String id, String userId) {
        return mongo.updateFirst(Query.query(Criteria.where("_id").is(id).and("agencyId").is(agencyId)),
                new Update().addToSet("readBy", userId), InAppNotification.class).getMatchedCount() > 0;
    }
}
