package org.pathways.progression.tally;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.mongodb.MongoSocketWriteException;
import com.mongodb.ServerAddress;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pathways.progression.ProgressionServiceTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.data.mongodb.core.query.UpdateDefinition;

/**
 * The store drops between a change's writes (the fault suite's store restart: a funnel once counted 679 receipts for
 * the 678 on the topic) and the change is applied again, as the inbox's retry does: every thing is counted once. The
 * real embedded store, reached through a template that fails the one write a test names, as a stopped store does;
 * a grace period of {@value #GRACE_MILLIS} ms instead of 30 s, so the retry takes the pending differences over soon.
 */
class FactsAfterAStoreDropTest extends ProgressionServiceTest {

    private static final long GRACE_MILLIS = 300;
    private static final String FACTS = "drop-facts";

    @Autowired
    MongoTemplate mongo;
    @Autowired
    Generations generations;

    private final Generation generation = new Generation(7_000 + (System.nanoTime() & 0xfff));
    private final LocalDate today = LocalDate.now(ZoneOffset.UTC);
    private DroppingStore store;
    private FactStore facts;

    @BeforeEach
    void store() {
        store = new DroppingStore(mongo);
        // Markers removed with the next bucket write, whatever bucket it is (see markersWaitForTheirBucketUpToABound).
        facts = new FactStore(store, GRACE_MILLIS, 0);
    }

    @AfterEach
    void drop() {
        generations.drop(generation);
    }

    private FactStore facts() {
        return facts;
    }

    /** Puts {@code thing} where {@code where} says: counted once in the bucket of that place. */
    private void place(String thing, String where) {
        facts().change(generation, FACTS, thing, f -> f.set("where", where),
                f -> List.of(new Tally("drop", today, Map.of("where", f.string("where")), Map.of("n", 1L))));
    }

    /** The count of each place's bucket, as a report reads it. */
    private Map<String, Long> counted() {
        Map<String, Long> counts = new TreeMap<>();
        for (Document bucket : facts().buckets(generation, "drop", today, today)) {
            assertThat(bucket).as("what a report reads").doesNotContainKey(FactStore.APPLIED);
            counts.put(bucket.getString("where"), bucket.get("n", Number.class).longValue());
        }
        return counts;
    }

    private long pending() {
        return mongo.count(Query.query(Criteria.where(FactStore.PENDING).exists(true)), generation.collection(FACTS));
    }

    private long markedBuckets() {
        return mongo.findAll(Document.class, generation.collection(FactStore.BUCKETS)).stream()
                .filter(bucket -> bucket.get(FactStore.APPLIED, Document.class) != null
                        && !bucket.get(FactStore.APPLIED, Document.class).isEmpty())
                .count();
    }

    private void batch(Runnable changes) {
        facts().beginBatch();
        try {
            changes.run();
            facts().completeBatch();
        } finally {
            facts().endBatch();
        }
    }

    @Test
    void aChangeWhosePendingDifferencesCouldNotBeClearedIsCountedOnceWhenAppliedAgain() {
        String thing = unique("thing");
        store.dropNextWriteTo(generation.collection(FACTS));
        assertThatThrownBy(() -> place(thing, "a")).isInstanceOf(DataAccessResourceFailureException.class);
        // The store dropped after the buckets were written: counted, and still pending.
        assertThat(counted()).isEqualTo(Map.of("a", 1L));
        assertThat(pending()).isOne();

        // The inbox's retry: the differences are taken over once old enough, and found in their bucket already.
        place(thing, "a");

        assertThat(counted()).isEqualTo(Map.of("a", 1L));
        assertThat(pending()).isZero();
        // The marker goes with the next bucket write; a later change then counts as usual.
        place(thing, "b");
        assertThat(counted()).isEqualTo(Map.of("a", 0L, "b", 1L));
        place(unique("thing"), "b");
        assertThat(counted()).isEqualTo(Map.of("a", 0L, "b", 2L));
        assertThat(markedBuckets()).as("buckets marked by the last change only").isOne();
    }

    /**
     * A bucket's marker, once its differences are cleared, goes with the bucket's next increment (in the same update)
     * rather than with an update of its own, up to a bound of buckets left marked; past it, with the next bucket write.
     */
    @Test
    void markersWaitForTheirBucketsNextIncrementUpToABound() {
        FactStore keepingTwo = new FactStore(store, GRACE_MILLIS, 2);
        List<Long> marked = new java.util.ArrayList<>();
        for (String where : List.of("a", "b", "c", "d")) {
            keepingTwo.change(generation, FACTS, unique("thing"), f -> f.set("where", where),
                    f -> List.of(new Tally("drop", today, Map.of("where", f.string("where")), Map.of("n", 1L))));
            marked.add(markedBuckets());
        }
        // a, b and c keep theirs (two left marked at most, besides the last change's); with d they all go.
        assertThat(marked).containsExactly(1L, 2L, 3L, 1L);
        // Written again, a bucket loses its old marker in the same update.
        keepingTwo.change(generation, FACTS, unique("thing"), f -> f.set("where", "d"),
                f -> List.of(new Tally("drop", today, Map.of("where", f.string("where")), Map.of("n", 1L))));
        assertThat(markedBuckets()).isOne();
        assertThat(counted()).isEqualTo(Map.of("a", 1L, "b", 1L, "c", 1L, "d", 2L));
    }

    @Test
    void aChangeWhoseBucketsWereNeverWrittenIsCountedOnceByTheWriterThatTakesItOver() {
        String thing = unique("thing");
        place(thing, "a");
        store.dropNextWriteTo(generation.collection(FactStore.BUCKETS));
        assertThatThrownBy(() -> place(thing, "b")).isInstanceOf(DataAccessResourceFailureException.class);
        // The facts say "b", with the move pending; the buckets still say "a".
        assertThat(counted()).isEqualTo(Map.of("a", 1L));
        assertThat(pending()).isOne();

        place(thing, "b");

        assertThat(counted()).isEqualTo(Map.of("a", 0L, "b", 1L));
        assertThat(pending()).isZero();
    }

    @Test
    void aBatchWhoseClearingWasLostCountsTheThingsThatMetInOneBucketOnce() {
        String first = unique("thing");
        String second = unique("thing");
        String moving = unique("thing");
        place(moving, "a");
        // A batch writes its facts first (one bulk write), then the buckets, then clears the facts' pending differences.
        store.dropWriteTo(generation.collection(FACTS), 1);
        // Three things add to bucket "a" in one write of the batch (+1, +1, -1), one to "b".
        assertThatThrownBy(() -> batch(() -> {
            place(first, "a");
            place(second, "a");
            place(moving, "b");
        })).isInstanceOf(DataAccessResourceFailureException.class);
        assertThat(counted()).isEqualTo(Map.of("a", 2L, "b", 1L));
        assertThat(pending()).isEqualTo(3);

        batch(() -> {
            place(first, "a");
            place(second, "a");
            place(moving, "b");
        });

        assertThat(counted()).isEqualTo(Map.of("a", 2L, "b", 1L));
        assertThat(pending()).isZero();
    }

    @Test
    void aBatchWhoseDifferencesCancelledInABucketIsCountedOnceAfterTheStoreDropped() {
        // "a" gets +1 from one thing and -1 from another: nothing is written to it, so it carries no marker, and each
        // thing's take-over must still add its own part (a shared marker would let the first hide the second's).
        String arriving = unique("thing");
        String leaving = unique("thing");
        place(leaving, "a");
        store.dropWriteTo(generation.collection(FACTS), 1);
        assertThatThrownBy(() -> batch(() -> {
            place(arriving, "a");
            place(leaving, "b");
        })).isInstanceOf(DataAccessResourceFailureException.class);
        assertThat(counted()).isEqualTo(Map.of("a", 1L, "b", 1L));

        batch(() -> {
            place(arriving, "a");
            place(leaving, "b");
        });

        assertThat(counted()).isEqualTo(Map.of("a", 1L, "b", 1L));
        assertThat(pending()).isZero();
    }

    @Test
    void aBatchWhoseBucketsWereNeverWrittenIsNotCompletedAgainAndIsCountedOnceByTheWriterThatTakesItOver() {
        String first = unique("thing");
        String second = unique("thing");
        // The facts are written with their pending differences, then the store drops the buckets' write.
        store.dropNextWriteTo(generation.collection(FactStore.BUCKETS));
        facts().beginBatch();
        try {
            place(first, "a");
            place(second, "a");
            assertThatThrownBy(() -> facts().completeBatch()).isInstanceOf(DataAccessResourceFailureException.class);
            // The inbox completes a batch again before it marks the events handled so far done (after a failure
            // before an erasure in the batch). Completed again, this one would clear nothing (what the first attempt
            // wrote is pending in the store) and then let go of its buckets' markers, and the events would be marked
            // done: refused, so the batch is received again.
            assertThatThrownBy(() -> facts().completeBatch()).isInstanceOf(IllegalStateException.class)
                    .hasCauseInstanceOf(DataAccessResourceFailureException.class);
        } finally {
            facts().endBatch();
        }
        assertThat(facts().buckets(generation, "drop", today, today)).isEmpty();
        assertThat(pending()).isEqualTo(2);

        // Received again: the pending differences are taken over once old enough, each counted once.
        batch(() -> {
            place(first, "a");
            place(second, "a");
        });

        assertThat(counted()).isEqualTo(Map.of("a", 2L));
        assertThat(pending()).isZero();
    }

    @Test
    void aThingMovedAndBackInOneBatchLeavesNothingPendingToBeCountedLater() {
        String thing = unique("thing");
        place(thing, "a");
        batch(() -> {
            place(thing, "b");
            place(thing, "a");
        });
        assertThat(pending()).as("nothing left to add").isZero();

        // Long after: a writer finds nothing pending to take over, so only its own move counts.
        sleepPastGrace();
        place(thing, "b");
        assertThat(counted()).isEqualTo(Map.of("a", 0L, "b", 1L));
    }

    /** The daily counts and agency flows: an $inc per event, behind the inbox. */
    private long counter(String id) {
        Document found = mongo.findById(id, Document.class, generation.collection("drop-counts"));
        return found == null ? 0 : found.get("count", Number.class).longValue();
    }

    private void count(String id, String eventId) {
        facts().count(generation, "drop-counts", id, eventId, Map.of("day", today.toString()), Map.of("count", 1L));
    }

    @Test
    void aBatchCountedAndDeliveredAgainAfterACrashBeforeItsInboxMarkCountsEachEventOnce() {
        String day = unique("day");
        batch(() -> {
            count(day, "evt-1");
            count(day, "evt-2");
        });
        assertThat(counter(day)).isEqualTo(2);

        // The process died before the inbox marked the batch done: it comes again, with one more event.
        batch(() -> {
            count(day, "evt-1");
            count(day, "evt-2");
            count(day, "evt-3");
        });
        assertThat(counter(day)).isEqualTo(3);

        // One at a time (a rebuild's replay): the same.
        count(day, "evt-3");
        count(day, "evt-4");
        assertThat(counter(day)).isEqualTo(4);
    }

    @Test
    void aBatchWhoseCountWasLostWithTheStoreCountsOnceWhenDeliveredAgain() {
        String day = unique("day");
        store.dropNextWriteTo(generation.collection("drop-counts"));
        assertThatThrownBy(() -> batch(() -> {
            count(day, "evt-1");
            count(day, "evt-2");
        })).isInstanceOf(DataAccessResourceFailureException.class);
        assertThat(counter(day)).isZero();

        batch(() -> {
            count(day, "evt-1");
            count(day, "evt-2");
        });
        assertThat(counter(day)).isEqualTo(2);
    }

    @Test
    void theStoreKeepsMarkersAsTheTakeOverNeedsThem() {
        String buckets = generation.collection(FactStore.BUCKETS);
        Query notYetMarked = Query.query(Criteria.where("_id").is("bucket").and("applied.p-1").exists(false)
                .and("applied.p-2").exists(false));
        mongo.upsert(notYetMarked, new Update().inc("n", 1).set("applied.p-1", 1L), buckets);
        // Marked: the same conditional upsert is a duplicate key, and adds nothing.
        assertThatThrownBy(() -> mongo.upsert(notYetMarked, new Update().inc("n", 1).set("applied.p-2", 2L),
                buckets)).isInstanceOf(DuplicateKeyException.class);
        mongo.updateFirst(Query.query(Criteria.where("_id").is("bucket")),
                new Update().inc("n", 1).unset("applied.p-1").set("applied.p-3", 3L), buckets);

        Document bucket = mongo.findById("bucket", Document.class, buckets);
        assertThat(bucket.get("n", Number.class).longValue()).isEqualTo(2);
        assertThat(bucket.get(FactStore.APPLIED, Document.class)).isEqualTo(new Document("p-3", 3L));
        assertThat(mongo.updateFirst(notYetMarked, new Update().inc("n", 1), buckets).getMatchedCount()).isOne();
    }

    private static void sleepPastGrace() {
        try {
            Thread.sleep(GRACE_MILLIS + 50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The real store, except that the next update or bulk write to a collection it is told of (or the one after a
     * given number of them) fails as a store that has just stopped does (before the write reaches it), once.
     */
    static final class DroppingStore extends MongoTemplate {

        private final AtomicReference<String> dropNext = new AtomicReference<>();
        private final AtomicInteger toLetThrough = new AtomicInteger();

        DroppingStore(MongoTemplate store) {
            super(store.getMongoDatabaseFactory(), store.getConverter());
        }

        void dropNextWriteTo(String collection) {
            dropWriteTo(collection, 0);
        }

        /** Lets {@code letThrough} writes to {@code collection} through, then drops the next one. */
        void dropWriteTo(String collection, int letThrough) {
            toLetThrough.set(letThrough);
            dropNext.set(collection);
        }

        private boolean drops(String collection) {
            if (!collection.equals(dropNext.get())) {
                return false;
            }
            if (toLetThrough.getAndDecrement() > 0) {
                return false;
            }
            return collection.equals(dropNext.getAndUpdate(next -> collection.equals(next) ? null : next));
        }

        private static DataAccessResourceFailureException dropped() {
            return new DataAccessResourceFailureException("The store stopped", new MongoSocketWriteException(
                    "Exception sending message", new ServerAddress(), new IOException("Connection reset")));
        }

        @Override
        public com.mongodb.client.result.UpdateResult updateFirst(Query query, UpdateDefinition update,
                                                                  String collectionName) {
            if (drops(collectionName)) {
                throw dropped();
            }
            return super.updateFirst(query, update, collectionName);
        }

        @Override
        public BulkOperations bulkOps(BulkOperations.BulkMode mode, String collectionName) {
            BulkOperations real = super.bulkOps(mode, collectionName);
            if (!drops(collectionName)) {
                return real;
            }
            return (BulkOperations) Proxy.newProxyInstance(BulkOperations.class.getClassLoader(),
                    new Class<?>[] {BulkOperations.class}, (proxy, method, args) -> {
                        if (method.getName().equals("execute")) {
                            throw dropped();
                        }
                        try {
                            Object result = method.invoke(real, args);
                            return result == real ? proxy : result;
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}
