package org.pathways.notification.email;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.pathways.messaging.lease.DocumentLeases;
import org.pathways.messaging.lease.Lease;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.index.MongoPersistentEntityIndexResolver;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;

/**
 * The queued e-mails and who is sending which. A sender claims a due e-mail with a lease and a fresh owner token (the
 * platform's {@link DocumentLeases}); every later write of that sender (renewing the lease just before the SMTP send,
 * the outcome) is conditional on the token, so a sender whose lease ran out and was taken over cannot overwrite the
 * new claimant's outcome. Because
 * a send cannot be fenced once it is under way, a sent e-mail also leaves a marker per (event, notice, agency,
 * recipient): a claimant that finds it completes the e-mail without sending it again.
 */
class EmailQueue {

    static final String SENT_MARKERS = "emails_sent";
    static final Duration MARKER_RETENTION = Duration.ofDays(30);

    /** A sender's hold on one e-mail. */
    record Claim(Lease<EmailNotification> lease) {

        EmailNotification email() {
            return lease.document();
        }

        String token() {
            return lease.token();
        }
    }

    private final MongoTemplate mongo;
    private final DocumentLeases leases;

    EmailQueue(MongoTemplate mongo, Duration lease, Clock clock) {
        this.mongo = mongo;
        this.leases = new DocumentLeases(mongo, clock, DocumentLeases.Fields.DEFAULT, lease,
                "mail-" + UUID.randomUUID());
    }

    Duration lease() {
        return leases.duration();
    }

    void createIndexes() {
        var indexes = mongo.indexOps(EmailNotification.class);
        // Before e-mails went to workers, one e-mail per (agency, event, kind) was unique: that index must go.
        if (indexes.getIndexInfo().stream().anyMatch(index -> "one_per_event".equals(index.getName()))) {
            indexes.dropIndex("one_per_event");
        }
        new MongoPersistentEntityIndexResolver(mongo.getConverter().getMappingContext())
                .resolveIndexFor(EmailNotification.class).forEach(indexes::createIndex);
        leases.createIndexes(mongo.getCollectionName(EmailNotification.class));
        // A marker only has to outlive the e-mail's retries (about an hour): kept a month, then expired.
        mongo.indexOps(SENT_MARKERS).createIndex(new Index().on("sentAt", Sort.Direction.ASC)
                .expire(MARKER_RETENTION).named("expire_markers"));
    }

    /**
     * Deletes the e-mails of events before {@code cutOff} that are done with (sent, skipped or failed), and the
     * sent-markers older than {@code markersCutOff} (the embedded store ignores their TTL index). Returns how many.
     */
    long purge(Instant cutOff, Instant markersCutOff) {
        long emails = mongo.remove(Query.query(Criteria.where("occurredAt").lt(cutOff).and("status").in(
                        EmailNotification.Status.SENT, EmailNotification.Status.SKIPPED, EmailNotification.Status.FAILED)),
                EmailNotification.class).getDeletedCount();
        long markers = mongo.remove(Query.query(Criteria.where("sentAt").lt(markersCutOff)), SENT_MARKERS)
                .getDeletedCount();
        return emails + markers;
    }

    /** Queues an e-mail unless the same one (event, kind, agency, recipient) is already queued. */
    void add(EmailNotification email) {
        // One round trip: the unique (agency, event, kind, recipient) index refuses a second copy.
        try {
            mongo.insert(email);
        } catch (DuplicateKeyException alreadyThere) {
            // queued already (a repeat of the event, or twice at once)
        }
    }

    /**
     * Takes the lease on one e-mail if it is still pending, due and free: read by {@code _id}, taken by a
     * compare-and-set on exactly {@code _id} and the owner seen (the unique index the leases declare), so it reads no
     * other e-mail however many are stored. Empty when it is gone, not due, held, or another claim won.
     */
    Optional<Claim> claim(String id, Instant now) {
        return leases.claim(EmailNotification.class, mongo.getCollectionName(EmailNotification.class), id,
                email -> due(email, now), null).map(Claim::new);
    }

    /**
     * Like {@link #claim}, for an e-mail this instance queued or put off (so most likely free, with no owner): first one
     * compare-and-set on {@code _id} and no owner, without reading it; only when that fails (held, or its holder's lease
     * ran out, or gone) read and claimed as {@link #claim} does. One round trip instead of two for the common case.
     */
    Optional<Claim> claimKnown(String id, Instant now) {
        Optional<Claim> unheld = leases.claimAsSeen(EmailNotification.class,
                mongo.getCollectionName(EmailNotification.class), id, null, email -> due(email, now), null)
                .map(Claim::new);
        return unheld.isPresent() ? unheld : claim(id, now);
    }

    private static boolean due(EmailNotification email, Instant now) {
        return email.status() == EmailNotification.Status.PENDING
                && (email.nextAttemptAt() == null || !email.nextAttemptAt().isAfter(now));
    }

    /**
     * The ids of up to {@code limit} e-mails due longest whose lease is free: a search by status and time, which the
     * embedded store answers by reading the whole queue, so made only to find what no one on this instance knows of
     * (see {@code EmailNotifications}), and a page at a time (each then {@link #claim claimed} by id).
     */
    List<String> dueIds(Instant now, int limit) {
        Criteria due = Criteria.where("status").is(EmailNotification.Status.PENDING).and("nextAttemptAt").lte(now);
        return leases.findFree(mongo.getCollectionName(EmailNotification.class), due, Sort.by("nextAttemptAt"), limit)
                .stream().map(String::valueOf).toList();
    }

    /**
     * Extends the lease if the claim still holds it (same owner, not run out): what a sender checks right before
     * sending. Empty when it ran out or was taken over: the sender must not send. The renewed claim carries a new
     * token, which the sender's later writes are conditioned on.
     */
    Optional<Claim> renew(Claim claim) {
        return leases.renew(claim.lease()).map(Claim::new);
    }

    /** Writes an outcome and releases the lease, only if the claim still holds it; false when it no longer does. */
    boolean complete(Claim claim, Update outcome) {
        return leases.release(claim.lease(), outcome).isPresent();
    }

    /** Whether this e-mail (event, kind, agency, recipient) was already sent, by whichever claimant. */
    boolean alreadySent(EmailNotification email) {
        return !alreadySent(List.of(email)).isEmpty();
    }

    /**
     * The {@link EmailNotification#sentKey sent keys} of those of these e-mails that were already sent, by whichever
     * claimant: one read by {@code _id} for all of them.
     */
    java.util.Set<String> alreadySent(java.util.Collection<EmailNotification> emails) {
        if (emails.isEmpty()) {
            return java.util.Set.of();
        }
        List<String> keys = emails.stream().map(EmailNotification::sentKey).distinct().toList();
        Query markers = keys.size() == 1 ? Query.query(Criteria.where("_id").is(keys.getFirst()))
                : Query.query(Criteria.where("_id").in(keys));
        markers.fields().include("_id");
        java.util.Set<String> sent = new java.util.HashSet<>();
        mongo.find(markers, org.bson.Document.class, SENT_MARKERS).forEach(marker -> sent.add(marker.getString("_id")));
        return sent;
    }

    /** Records that the e-mail was sent (ids only), whatever becomes of the claim's outcome write. */
    void markSent(EmailNotification email, Instant at) {
        try {
            mongo.insert(new org.bson.Document("_id", email.sentKey()).append("emailId", email.id())
                    .append("sentAt", at), SENT_MARKERS);
        } catch (DuplicateKeyException alreadyMarked) {
            // sent twice: the window the lease and the SMTP timeouts keep small
        }
    }
}
