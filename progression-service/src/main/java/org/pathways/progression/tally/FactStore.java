package org.pathways.progression.tally;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
    /** How long a batch holds its bucket increments and pending differences back at most (5 s). */
    static final long MAX_HOLD_NANOS = 5_000_000_000L;
    public static final String BUCKETS = "buckets";
    public static final String DAYS = "bucket-days";

    private final MongoTemplate mongo;
    /** The batch this thread is applying, if any (see {@link #beginBatch}). */
    private final ThreadLocal<Batch> batch = new ThreadLocal<>();

    FactStore(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    /**
     * What a batch of events does to the store, merged: facts read ahead with one {@code $in} per collection and kept
     * as written (a hint only: every write is still made under the facts' version, so a stale one costs a retry),
     * and the bucket increments, counters and clearing of pending differences of the whole batch held back and
     * written at {@link #completeBatch} in one unordered bulk write each. The fact documents themselves are written
     * as each event is applied, with their pending differences (this batch's, merged), so a crash before the
     * increments are written leaves them pending for the next writer, as for a single event.
     */
    private static final class Batch {
        /** By collection and id: the facts as last read or written (null: known to be absent). */
        final Map<String, Map<String, Document>> facts = new HashMap<>();
        /** By generation: the merged differences to add to each bucket. */
        final Map<Generation, Map<String, Document>> increments = new LinkedHashMap<>();
        /** By collection: the documents written with this batch's pending differences, and at which version. */
        final Map<String, Map<String, Long>> pending = new LinkedHashMap<>();
        /** By collection and id: counters to increment (and fields to set) with the batch. */
        final Map<String, Map<String, Count>> counts = new LinkedHashMap<>();
        /** When this batch first held something back since its last write (System.nanoTime), or 0. */
        long holdingSince;

        boolean ownsPending(String collection, Document stored) {
            Long version = pending.getOrDefault(collection, Map.of()).get(stored.getString("_id"));
            return version != null && stored.get(VERSION) instanceof Number n && n.longValue() == version;
        }
    }

    private record Count(Map<String, Object> set, Map<String, Long> increments) {
    }

    /** From now until {@link #endBatch}, this thread's writes are merged (see {@link Batch}). */
    public void beginBatch() {
        batch.set(new Batch());
    }

    /** Reads the facts about {@code ids} of {@code collection} in one round trip, for the rest of the batch. */
    public void readAhead(Generation generation, String collection, Collection<String> ids) {
        Batch current = batch.get();
        if (current == null || ids.isEmpty()) {
            return;
        }
        String facts = generation.collection(collection);
        Map<String, Document> known = current.facts.computeIfAbsent(facts, c -> new HashMap<>());
        List<String> missing = ids.stream().filter(id -> id != null && !known.containsKey(id)).distinct().toList();
        for (int i = 0; i < missing.size(); i += 500) {
            List<String> part = missing.subList(i, Math.min(missing.size(), i + 500));
            part.forEach(id -> known.put(id, null));
            for (Document found : mongo.find(Query.query(Criteria.where("_id").in(part)), Document.class, facts)) {
                known.put(found.getString("_id"), found);
            }
        }
    }

    /**
     * Writes what the batch held back: every bucket's merged increment (one bulk write per generation, plus one for
     * new buckets' day indexes), the counters (one bulk write per collection), then clears the pending differences
     * (one bulk write per collection). The facts read stay known for the rest of the batch.
     */
    public void completeBatch() {
        Batch current = batch.get();
        if (current == null) {
            return;
        }
        current.increments.forEach((generation, buckets) -> apply(generation, List.copyOf(buckets.values()), false));
        current.increments.clear();
        current.counts.forEach((collection, counts) -> {
            BulkOperations upserts = mongo.bulkOps(BulkMode.UNORDERED, collection);
            counts.forEach((id, count) -> {
                Update update = new Update();
                count.set().forEach(update::set);
                count.increments().forEach(update::inc);
                upserts.upsert(Query.query(Criteria.where("_id").is(id)), update);
            });
            upserts.execute();
        });
        current.counts.clear();
        current.pending.forEach((collection, versions) -> {
            if (versions.isEmpty()) {
                return;
            }
            BulkOperations clears = mongo.bulkOps(BulkMode.UNORDERED, collection);
            versions.forEach((id, version) -> clears.updateOne(Query.query(Criteria.where("_id").is(id)
                    .and(VERSION).is(version)), new Update().unset(PENDING).unset(PENDING_AT)));
            clears.execute();
            Map<String, Document> known = current.facts.getOrDefault(collection, Map.of());
            versions.keySet().forEach(id -> {
                Document kept = known.get(id);
                if (kept != null) {
                    kept.remove(PENDING);
                    kept.remove(PENDING_AT);
                }
            });
        });
        current.pending.clear();
        current.holdingSince = 0;
    }

    /** Ends this thread's batch; what was not completed is dropped (its facts stay pending for the next writer). */
    public void endBatch() {
        batch.remove();
    }

    /**
     * Increments {@code increments} (and sets {@code set}) on document {@code id} of {@code collection}, creating it
     * if needed: at once, or with the batch.
     */
    public void count(Generation generation, String collection, String id, Map<String, Object> set,
                      Map<String, Long> increments) {
        String target = generation.collection(collection);
        Batch current = batch.get();
        if (current == null) {
            Update update = new Update();
            set.forEach(update::set);
            increments.forEach(update::inc);
            mongo.upsert(Query.query(Criteria.where("_id").is(id)), update, target);
            return;
        }
        holding(current);
        current.counts.computeIfAbsent(target, c -> new LinkedHashMap<>()).merge(id,
                new Count(new LinkedHashMap<>(set), new LinkedHashMap<>(increments)), (held, more) -> {
                    held.set().putAll(more.set());
                    more.increments().forEach((field, n) -> held.increments().merge(field, n, Long::sum));
                    return held;
                });
    }

    /**
     * Before this thread waits for another writer's pending differences, it writes what its own batch holds back:
     * a writer that waits holds nothing, so two batches (two instances, or the live consumer and a rebuild) that each
     * wait for a document the other holds never wait for each other until the grace period runs out.
     */
    private void releaseBeforeWaiting(Batch current) {
        if (current != null && (!current.increments.isEmpty() || !current.counts.isEmpty()
                || current.pending.values().stream().anyMatch(versions -> !versions.isEmpty()))) {
            completeBatch();
        }
    }

    /**
     * Notes that the batch holds something back; once it has for {@link #MAX_HOLD_NANOS}, writes it. Other writers of
     * its documents wait for pending differences only that long, well within {@link #PENDING_GRACE_MILLIS}, after
     * which they would take them over and count them again.
     */
    private void holding(Batch current) {
        long now = System.nanoTime();
        if (current.holdingSince == 0) {
            current.holdingSince = now;
        } else if (now - current.holdingSince > MAX_HOLD_NANOS) {
            completeBatch();
        }
    }

    /** The stored facts: as known to the batch, or read (and then known to it). */
    private Document read(String facts, String id) {
        Batch current = batch.get();
        if (current == null) {
            return mongo.findById(id, Document.class, facts);
        }
        Map<String, Document> known = current.facts.computeIfAbsent(facts, c -> new HashMap<>());
        if (known.containsKey(id)) {
            return known.get(id);
        }
        Document found = mongo.findById(id, Document.class, facts);
        known.put(id, found);
        return found;
    }

    private void forgetKnown(String facts, String id) {
        Batch current = batch.get();
        if (current != null) {
            current.facts.getOrDefault(facts, new HashMap<>()).remove(id);
        }
    }

    /** The facts about {@code id}, or null. */
    public Facts find(Generation generation, String collection, String id) {
        Document found = read(generation.collection(collection), id);
        return found == null ? null : new Facts(new Document(found));
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
        Batch current = batch.get();
        boolean first = prefetched;
        while (true) {
            Document stored = first ? known : read(facts, id);
            first = false;
            boolean own = current != null && stored != null && current.ownsPending(facts, stored);
            if (stored != null && stored.get(PENDING) != null && !own) {
                releaseBeforeWaiting(current);
                awaitOrTakeOver(generation, facts, stored);
                forgetKnown(facts, id);
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
            // In a batch, the document's pending differences are all this batch has not yet added to the buckets.
            List<Document> pending = own ? merge(stored.getList(PENDING, Document.class), difference) : difference;
            if (!pending.isEmpty()) {
                written.append(PENDING, pending).append(PENDING_AT, System.currentTimeMillis());
            }
            try {
                if (stored == null) {
                    mongo.insert(written, facts);
                } else if (mongo.replace(Query.query(Criteria.where("_id").is(id).and(VERSION).is(version)),
                        written, facts).getMatchedCount() == 0) {
                    forgetKnown(facts, id);
                    continue;
                }
            } catch (DuplicateKeyException raced) {
                forgetKnown(facts, id);
                continue;
            }
            if (current != null) {
                current.facts.computeIfAbsent(facts, c -> new HashMap<>()).put(id, written);
                Map<String, Long> versions = current.pending.computeIfAbsent(facts, c -> new LinkedHashMap<>());
                if (pending.isEmpty()) {
                    versions.remove(id);
                } else {
                    versions.put(id, version + 1);
                }
                Map<String, Document> held = current.increments.computeIfAbsent(generation,
                        g -> new LinkedHashMap<>());
                for (Document more : difference) {
                    Document into = held.get(more.getString("b"));
                    List<Document> sum = merge(into == null ? List.of() : List.of(into), List.of(more));
                    if (sum.isEmpty()) {
                        held.remove(more.getString("b"));
                    } else {
                        held.put(more.getString("b"), sum.getFirst());
                    }
                }
                holding(current);
                return new Facts(written);
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
        Batch current = batch.get();
        Document stored = read(facts, id);
        while (stored != null && stored.get(PENDING) != null
                && (current == null || !current.ownsPending(facts, stored))) {
            releaseBeforeWaiting(current);
            awaitOrTakeOver(generation, facts, stored);
            forgetKnown(facts, id);
            stored = read(facts, id);
        }
        mongo.remove(Query.query(Criteria.where("_id").is(id)), facts);
        if (current != null) {
            // What it held back for the buckets stays held (counts are about no one); nothing is left to clear.
            current.pending.getOrDefault(facts, new HashMap<>()).remove(id);
            current.facts.computeIfAbsent(facts, c -> new HashMap<>()).put(id, null);
        }
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

    /**
     * {@code more} added to {@code held}, bucket by bucket: differences of the same bucket summed, zeros and buckets
     * whose counts all cancel left out.
     */
    static List<Document> merge(List<Document> held, List<Document> more) {
        Map<String, Document> merged = new LinkedHashMap<>();
        for (Document difference : held) {
            merged.put(difference.getString("b"), copy(difference));
        }
        for (Document difference : more) {
            Document into = merged.get(difference.getString("b"));
            if (into == null) {
                merged.put(difference.getString("b"), copy(difference));
                continue;
            }
            Document counts = into.get("c", Document.class);
            difference.get("c", Document.class).forEach((field, n) -> {
                long sum = (counts.get(field) instanceof Number m ? m.longValue() : 0) + ((Number) n).longValue();
                if (sum == 0) {
                    counts.remove(field);
                } else {
                    counts.put(field, sum);
                }
            });
        }
        return merged.values().stream().filter(d -> !d.get("c", Document.class).isEmpty()).toList();
    }

    private static Document copy(Document difference) {
        return new Document(difference).append("c", new Document(difference.get("c", Document.class)));
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
