package org.pathways.messaging.lease;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import org.bson.Document;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;

/**
 * Leases on MongoDB documents, so that one holder at a time works on a document (relays an aggregate's outbox,
 * attempts a webhook delivery, sends an e-mail) and a holder that dies only delays the work until its lease runs out.
 *
 * <p>A lease is two fields of the document: until when it is held and the holder's token. Taking one is a
 * conditional update: {@link #claim} reads the document by {@code _id} and swaps the token it saw for a new one in
 * a compare-and-set on exactly {@code _id} and that token; {@link #findFree} finds the ids of a page of due and free
 * documents, each then claimed by id. Every later write of the holder is <b>fenced</b>: conditioned on
 * {@code _id} and its token, so it does nothing once another holder took the document over. A renewal rotates the
 * token (a compare-and-set from the old to a new one): a claim that read the document before the renewal cannot take
 * it afterwards. To go on working (renew, write) the lease must also still run by the holder's clock: a holder that
 * outlived its lease stops, even if no one took the document over yet, because someone may at any moment. Ending
 * the work ({@link #release}) needs only the token: if no one took the document over, nothing was done under
 * another token, so writing the outcome is safe and saves the next holder repeating the work.
 *
 * <p>The queries by {@code _id} and token name exactly the fields of the unique ({@code _id}, owner) index
 * {@link #createIndexes} declares, which the embedded store needs to serve them without reading the collection.
 */
public class DocumentLeases {

    /**
     * The fields a lease is kept in.
     *
     * @param until when the lease runs out (a date)
     * @param owner the holder's token
     * @param free  the owner value of a document no one holds, or null to remove the field (and {@code until})
     */
    public record Fields(String until, String owner, String free) {

        /** {@code leaseUntil} and {@code leaseOwner}, both removed on release. */
        public static final Fields DEFAULT = new Fields("leaseUntil", "leaseOwner", null);
    }

    private final MongoTemplate mongo;
    private final Clock clock;
    private final Fields fields;
    private final Duration duration;
    private final String holder;

    /**
     * @param duration how long a lease lasts from its claim or renewal
     * @param holder   names the holder (the instance and purpose) in its tokens, for diagnostics
     */
    public DocumentLeases(MongoTemplate mongo, Clock clock, Fields fields, Duration duration, String holder) {
        if (!duration.isPositive()) {
            throw new IllegalArgumentException("A lease must last a positive time");
        }
        this.mongo = mongo;
        this.clock = clock;
        this.fields = fields;
        this.duration = duration;
        this.holder = holder;
    }

    public Duration duration() {
        return duration;
    }

    /** Declares the unique ({@code _id}, owner) index the fenced writes and claims by id are served from. */
    public void createIndexes(String collection) {
        mongo.indexOps(collection).createIndex(new Index().on("_id", Sort.Direction.ASC)
                .on(fields.owner(), Sort.Direction.ASC).unique().named(fields.owner() + "_guard"));
    }

    /**
     * Takes the lease on one document if it is free (no lease, or one that ran out) and {@code eligible}: reads it by
     * {@code _id}, then swaps the token it saw for a new one in one compare-and-set, also applying {@code onClaim}
     * (may be null), and checks {@code eligible} again on the document as claimed (gives it back if it no longer
     * qualifies). Empty when it does not exist, is not eligible, is held, or another claim won the race.
     */
    public <T> Optional<Lease<T>> claim(Class<T> type, String collection, Object id, Predicate<? super T> eligible,
                                        Update onClaim) {
        Document seen = mongo.findById(id, Document.class, collection);
        Instant now = clock.instant();
        if (seen == null || !free(seen, now) || !eligible.test(read(type, seen))) {
            return Optional.empty();
        }
        return claimAsSeen(type, collection, id, seen.get(fields.owner()), eligible, onClaim);
    }

    /**
     * Like {@link #claim}, without the read, for a holder that knows the document's owner field as it is (it has
     * just written the document itself, {@code seenOwner} null when no one ever held it): one compare-and-set on
     * exactly {@code _id} and that owner. Empty when another holder has it meanwhile or it no longer qualifies.
     */
    public <T> Optional<Lease<T>> claimAsSeen(Class<T> type, String collection, Object id, Object seenOwner,
                                              Predicate<? super T> eligible, Update onClaim) {
        Instant now = clock.instant();
        Query holderSeen = Query.query(Criteria.where("_id").is(id).and(fields.owner()).is(seenOwner));
        String token = newToken();
        Instant until = now.plus(duration);
        T claimed = mongo.findAndModify(holderSeen, take(token, until, onClaim),
                FindAndModifyOptions.options().returnNew(true), type, collection);
        if (claimed == null) {
            return Optional.empty();
        }
        Lease<T> lease = new Lease<>(collection, id, token, until, claimed);
        // Another holder may have taken it, done the work and given it back between the read and the claim (the
        // holder field is then as it was): the claim answers the document as it is now, which must still qualify.
        if (!eligible.test(claimed)) {
            release(lease, null);
            return Optional.empty();
        }
        return Optional.of(lease);
    }

    /**
     * The ids of up to {@code limit} documents (in {@code order}) that match {@code due} and are free now, in one
     * read of their ids only: for a holder that then claims them one by one by id ({@link #claim}), so that a store
     * which answers such a search by reading the whole collection (the embedded one) reads it once per page, not
     * once per document as a claim of the first due one in a loop would. A document taken meanwhile simply fails its
     * claim.
     */
    public java.util.List<Object> findFree(String collection, Criteria due, Sort order, int limit) {
        Query query = Query.query(new Criteria().andOperator(due, free(clock.instant()))).with(order).limit(limit);
        query.fields().include("_id");
        return mongo.find(query, Document.class, collection).stream().map(found -> found.get("_id")).toList();
    }

    private Criteria free(Instant now) {
        return new Criteria().orOperator(Criteria.where(fields.until()).exists(false),
                Criteria.where(fields.until()).is(null), Criteria.where(fields.until()).lt(Date.from(now)));
    }

    /**
     * Extends the lease from now, with a new token, if it still runs and is held by this lease's token. Empty when it
     * ran out or another holder took the document over (or it is gone): the holder must stop working on it.
     */
    public <T> Optional<Lease<T>> renew(Lease<T> lease) {
        Instant now = clock.instant();
        if (!now.isBefore(lease.until())) {
            return Optional.empty();
        }
        String token = newToken();
        Instant until = now.plus(duration);
        boolean renewed = mongo.updateFirst(held(lease),
                new Update().set(fields.until(), Date.from(until)).set(fields.owner(), token), lease.collection())
                .getMatchedCount() > 0;
        return renewed ? Optional.of(new Lease<>(lease.collection(), lease.id(), token, until, lease.document()))
                : Optional.empty();
    }

    /** Applies {@code update} if the lease still runs and is held, keeping it; false when it ran out or was taken over. */
    public boolean write(Lease<?> lease, Update update) {
        return clock.instant().isBefore(lease.until()) && mongo.updateFirst(held(lease), update, lease.collection()).getMatchedCount() > 0;
    }

    /**
     * Applies {@code outcome} (may be null) and gives the lease back, in one write, if it is still held. Returns the
     * document as it is afterwards, or empty when the lease was taken over (then nothing is written).
     */
    public Optional<Document> release(Lease<?> lease, Update outcome) {
        Update update = copy(outcome);
        if (fields.free() == null) {
            update.unset(fields.until()).unset(fields.owner());
        } else {
            update.unset(fields.until()).set(fields.owner(), fields.free());
        }
        return Optional.ofNullable(mongo.findAndModify(held(lease), update,
                FindAndModifyOptions.options().returnNew(true), Document.class, lease.collection()));
    }

    /**
     * The query that matches the document only while {@code lease} holds it, for a fenced write the caller makes
     * itself: exactly {@code _id} and the owner field.
     */
    public Query held(Lease<?> lease) {
        return Query.query(Criteria.where("_id").is(lease.id()).and(fields.owner()).is(lease.token()));
    }

    private boolean free(Document seen, Instant now) {
        Object until = seen.get(fields.until());
        return !(until instanceof Date date) || !date.toInstant().isAfter(now);
    }

    private Update take(String token, Instant until, Update onClaim) {
        return copy(onClaim).set(fields.until(), Date.from(until)).set(fields.owner(), token);
    }

    /** A fresh update with what the caller asked for, so that an update the caller keeps is never changed. */
    private static Update copy(Update update) {
        Document copy = new Document();
        if (update != null) {
            update.getUpdateObject().forEach((operator, operands) ->
                    copy.put(operator, operands instanceof Document fields ? new Document(fields) : operands));
        }
        return Update.fromDocument(copy);
    }

    /**
     * A lease on a document this holder is about to insert: the token and expiry to write into its owner and until
     * fields, so that it is stored held and needs no claim after the insert. It holds as a claimed one does: no one
     * else can claim the document before it runs out, and a holder whose writes are guarded by the version it
     * inserted is fenced off by the next claim's bump, as after any claim.
     */
    public Lease<Void> forNew(String collection, Object id) {
        return new Lease<>(collection, id, newToken(), clock.instant().plus(duration), null);
    }

    private String newToken() {
        return holder + ":" + UUID.randomUUID();
    }

    @SuppressWarnings("unchecked")
    private <T> T read(Class<T> type, Document document) {
        return type.isInstance(document) ? (T) document : mongo.getConverter().read(type, document);
    }

    private Object idOf(Object document) {
        if (document instanceof Document bson) {
            return bson.get("_id");
        }
        return mongo.getConverter().getMappingContext().getRequiredPersistentEntity(document.getClass())
                .getIdentifierAccessor(document).getRequiredIdentifier();
    }
}
