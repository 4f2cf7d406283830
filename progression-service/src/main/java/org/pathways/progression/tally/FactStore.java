package org.pathways.progression.tally;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import com.mongodb.bulk.BulkWriteUpsert;
import org.bson.Document;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.BulkOperations.BulkMode;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Keeps the facts about each thing (one document per thing, by {@code _id}) together with what those facts add to
 * the pre-aggregated buckets ({@link Tally}s), and applies only the difference when the facts change. So a redelivered
 * event changes nothing, and an out-of-order one moves the thing from the bucket it was counted in to the right one:
 * the buckets always equal the sum of what the current facts add.
 *
 * <p>Writes, all by {@code _id} (the embedded store has no other real index): the fact document is replaced under an
 * optimistic version (a concurrent writer — the live consumer and a rebuild's catch-up — makes one of them read
 * again), carrying the pending differences; then each bucket is {@code $inc}-upserted (a new bucket's key is added to
 * its family's day index, so a report finds it by {@code _id}); then the pending differences are cleared. A crash
 * after the fact write leaves them pending: the next change of the same thing applies them first, once they are
 * older than {@link #PENDING_GRACE_MILLIS} (younger ones are still being applied by their writer, so it waits).
 */
@Component
public class FactStore {

    static final String VERSION = "v";
    static final String CONTRIBUTION = "tallies";
    static final String PENDING = "pending";
    /** When the pending differences were written (or taken over): their writer is applying them until then + grace. */
    static final String PENDING_AT = "pendingAt";
    /**
     * How long pending differences belong to the writer that wrote them. Another writer that finds them younger
     * waits for them to be cleared rather than apply them too (which counted them twice: the writer applies its own
     * right after its write); older ones are a crashed writer's, taken over under a condition and applied once.
     */
    static final long PENDING_GRACE_MILLIS = 30_000;
    public static final String BUCKETS = "buckets";
    public static final String DAYS = "bucket-days";

    private final MongoTemplate mongo;

    FactStore(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    /** The facts about {@code id}, or null. */
    public Facts find(Generation generation, String collection, String id) {
        Document found = mongo.findById(id, Document.class, generation.collection(collection));
        return found == null ? null : new Facts(found);
    }

    /**
     * Applies {@code update} to the facts about {@code id} (created empty when none are kept yet) and, when they
     * changed, the difference of what they add to the buckets ({@code derive}). Returns the facts as now kept.
     */
    public Facts change(Generation generation, String collection, String id, Consumer<Facts> update,
                        Function<Facts, List<Tally>> derive) {
        return change(generation, collection, id, false, null, update, derive);
    }

    /**
     * As {@link #change(Generation, String, String, Consumer, Function)}, starting from {@code known}: the facts about
     * {@code id} just read with {@link #find} (null: none kept), which saves reading them again. Stale facts cost
     * nothing but a retry: the write is made under their version (or as an insert, which fails if they now exist).
     */
    public Facts change(Generation generation, String collection, String id, Facts known, Consumer<Facts> update,
                        Function<Facts, List<Tally>> derive) {
        return change(generation, collection, id, true, known == null ? null : known.document(), update, derive);
    }

    private Facts change(Generation generation, String collection, String id, boolean prefetched, Document known,
                         Consumer<Facts> update, Function<Facts, List<Tally>> derive) {
        String facts = generation.collection(collection);
        boolean first = prefetched;
        while (true) {
            Document stored = first ? known : mongo.findById(id, Document.class, facts);
            first = false;
            if (stored != null && stored.get(PENDING) != null) {
                awaitOrTakeOver(generation, facts, stored);
                continue;
            }
            Document working = stored == null ? new Document("_id", id) : new Document(stored);
            long version = working.get(VERSION) instanceof Number n ? n.longValue() : 0;
            List<Document> before = working.getList(CONTRIBUTION, Document.class, List.of());
            working.remove(VERSION);
            working.remove(CONTRIBUTION);
            Facts changing = new Facts(working);
            update.accept(changing);
            if (!changing.changed()) {
                return new Facts(stored == null ? working : stored);
            }
            List<Document> after = derive.apply(changing).stream().map(FactStore::toDocument).toList();
            List<Document> difference = difference(before, after);
            Document written = new Document(working).append(VERSION, version + 1).append(CONTRIBUTION, after);
            if (!difference.isEmpty()) {
                written.append(PENDING, difference).append(PENDING_AT, System.currentTimeMillis());
            }
            try {
                if (stored == null) {
                    mongo.insert(written, facts);
                } else if (mongo.replace(Query.query(Criteria.where("_id").is(id).and(VERSION).is(version)),
                        written, facts).getMatchedCount() == 0) {
                    continue;
                }
            } catch (DuplicateKeyException raced) {
                continue;
            }
            if (!difference.isEmpty()) {
                apply(generation, difference, false);
                mongo.updateFirst(Query.query(Criteria.where("_id").is(id).and(VERSION).is(version + 1)),
                        new Update().unset(PENDING).unset(PENDING_AT), facts);
            }
            return new Facts(written);
        }
    }

    /**
     * Forgets the facts about {@code id} (an erased learner): what they already added to the buckets stays, counts
     * being about no one.
     */
    public void forget(Generation generation, String collection, String id) {
        String facts = generation.collection(collection);
        Document stored = mongo.findById(id, Document.class, facts);
        while (stored != null && stored.get(PENDING) != null) {
            awaitOrTakeOver(generation, facts, stored);
            stored = mongo.findById(id, Document.class, facts);
        }
        mongo.remove(Query.query(Criteria.where("_id").is(id)), facts);
    }

    /**
     * Pending differences found by another writer: young ones are still being applied by the writer that wrote them,
     * so this one waits a moment and reads again; old ones (their writer stopped between its two writes) are taken
     * over by a conditional write that only one writer wins, and applied by that one.
     */
    private void awaitOrTakeOver(Generation generation, String facts, Document stored) {
        long writtenAt = stored.get(PENDING_AT) instanceof Number n ? n.longValue() : 0;
        long now = System.currentTimeMillis();
        if (now - writtenAt < PENDING_GRACE_MILLIS) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while facts were being applied", e);
            }
            return;
        }
        // The same facts with the same pending time: only one writer's condition still holds after the first wins.
        Criteria same = Criteria.where("_id").is(stored.get("_id")).and(VERSION).is(stored.get(VERSION));
        same = stored.get(PENDING_AT) == null ? same.and(PENDING_AT).exists(false)
                : same.and(PENDING_AT).is(stored.get(PENDING_AT));
        if (mongo.updateFirst(Query.query(same), new Update().set(PENDING_AT, now), facts).getModifiedCount() == 0) {
            return;
        }
        // Won: the pending differences are this writer's now, under their new time.
        apply(generation, stored.getList(PENDING, Document.class), true);
        mongo.updateFirst(Query.query(Criteria.where("_id").is(stored.get("_id")).and(VERSION).is(stored.get(VERSION))
                        .and(PENDING_AT).is(now)), new Update().unset(PENDING).unset(PENDING_AT), facts);
    }

    /**
     * Increments the buckets, all in one unordered bulk write (one round trip whatever the number of buckets; each
     * difference is for a distinct bucket), then adds the buckets it created (or, recovering, all of them) to their
     * days' indexes, again in one bulk write, one update per day.
     */
    private void apply(Generation generation, List<Document> differences, boolean recovering) {
        if (differences.isEmpty()) {
            return;
        }
        BulkOperations increments = mongo.bulkOps(BulkMode.UNORDERED, generation.collection(BUCKETS));
        for (Document difference : differences) {
            Update update = new Update();
            difference.get("c", Document.class).forEach((field, n) ->
                    update.inc(field.replace('/', '.'), ((Number) n).longValue()));
            update.setOnInsert("family", difference.getString("f")).setOnInsert("day", difference.getString("day"));
            difference.get("d", Document.class).forEach(update::setOnInsert);
            increments.upsert(Query.query(Criteria.where("_id").is(difference.getString("b"))), update);
        }
        Set<Integer> created = new HashSet<>();
        for (BulkWriteUpsert upsert : increments.execute().getUpserts()) {
            created.add(upsert.getIndex());
        }
        Map<String, List<String>> newByDay = new LinkedHashMap<>();
        for (int i = 0; i < differences.size(); i++) {
            if (recovering || created.contains(i)) {
                Document difference = differences.get(i);
                newByDay.computeIfAbsent(dayKey(difference.getString("f"), difference.getString("day")),
                        day -> new ArrayList<>()).add(difference.getString("b"));
            }
        }
        if (newByDay.isEmpty()) {
            return;
        }
        BulkOperations days = mongo.bulkOps(BulkMode.UNORDERED, generation.collection(DAYS));
        newByDay.forEach((day, buckets) -> days.upsert(Query.query(Criteria.where("_id").is(day)),
                new Update().addToSet("buckets").each(buckets.toArray())));
        days.execute();
    }

    static String dayKey(String family, String day) {
        return family + "|" + day;
    }

    /** What {@code after} adds minus what {@code before} added, bucket by bucket; zeros left out. */
    static List<Document> difference(List<Document> before, List<Document> after) {
        Map<String, Document> buckets = new LinkedHashMap<>();
        Map<String, Map<String, Long>> deltas = new LinkedHashMap<>();
        for (Document tally : before) {
            buckets.putIfAbsent(tally.getString("b"), tally);
            Map<String, Long> delta = deltas.computeIfAbsent(tally.getString("b"), b -> new LinkedHashMap<>());
            tally.get("c", Document.class).forEach((f, n) -> delta.merge(f, -((Number) n).longValue(), Long::sum));
        }
        for (Document tally : after) {
            buckets.put(tally.getString("b"), tally);
            Map<String, Long> delta = deltas.computeIfAbsent(tally.getString("b"), b -> new LinkedHashMap<>());
            tally.get("c", Document.class).forEach((f, n) -> delta.merge(f, ((Number) n).longValue(), Long::sum));
        }
        List<Document> differences = new ArrayList<>();
        deltas.forEach((bucket, delta) -> {
            Document counts = new Document();
            delta.forEach((f, n) -> {
                if (n != 0) {
                    counts.append(f, n);
                }
            });
            if (!counts.isEmpty()) {
                Document template = buckets.get(bucket);
                differences.add(new Document("b", bucket).append("f", template.getString("f"))
                        .append("day", template.getString("day")).append("d", template.get("d")).append("c", counts));
            }
        });
        return differences;
    }

    private static Document toDocument(Tally tally) {
        Document counts = new Document();
        tally.counts().forEach((field, n) -> counts.append(field.replace('.', '/'), n));
        return new Document("b", tally.id()).append("f", tally.family()).append("day", tally.day().toString())
                .append("d", new Document(new LinkedHashMap<>(tally.dims()))).append("c", counts);
    }

    /** Every bucket of {@code family} for the days from {@code from} to {@code to} (inclusive), by {@code _id}. */
    public List<Document> buckets(Generation generation, String family, LocalDate from, LocalDate to) {
        List<String> days = new ArrayList<>();
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            days.add(dayKey(family, day.toString()));
        }
        List<String> keys = new ArrayList<>();
        for (Document day : mongo.find(Query.query(Criteria.where("_id").in(days)), Document.class,
                generation.collection(DAYS))) {
            keys.addAll(day.getList("buckets", String.class, List.of()));
        }
        List<Document> buckets = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i += 500) {
            buckets.addAll(mongo.find(Query.query(Criteria.where("_id").in(keys.subList(i, Math.min(keys.size(),
                    i + 500)))), Document.class, generation.collection(BUCKETS)));
        }
        return buckets;
    }
}
