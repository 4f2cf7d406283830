package org.pathways.progression.tally;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

import com.mongodb.bulk.BulkWriteUpsert;
import org.bson.Document;
import org.pathways.messaging.inbox.AppliedEvents;
import org.pathways.platform.store.GuardIndexes;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.BulkOperationException;
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
 * <p>Writes, all by {@code _id} (the embedded store has no other real index): (1) the fact document is replaced under
 * an optimistic version (a concurrent writer — the live consumer and a rebuild's catch-up — makes one of them read
 * again), carrying the pending differences and an id for them ({@link #PENDING_IDS}); (2) each bucket is
 * {@code $inc}-upserted and marked with that id ({@code applied.<id>}) in the same update (a new bucket's key is added
 * to its family's day index, so a report finds it by {@code _id}); (3) the pending differences are cleared. A crash
 * (or a store that drops) between (1) and (3) leaves them pending: the next change of the same thing takes them over
 * once they are older than the grace period ({@link #PENDING_GRACE_MILLIS}; younger ones are still being applied by
 * their writer, so it waits), and adds them only to the buckets that carry none of their ids: a bucket written in (2)
 * before the crash is not counted again. Without the marker, a crash between (2) and (3) counted the thing twice
 * (the fault suite's store restart: 679 receipts in the funnel for 678 on the topic).
 *
 * <p>A bucket's markers are removed once the differences are cleared, with this thread's next increment of that
 * bucket (in the same update), or, once it has left markers on more than {@value #MARKED_BUCKETS_KEPT} buckets, with
 * its next bucket write (no round trip of their own). A marker left behind (a crash, a thread that writes no more) is
 * harmless: ids are never reused, so nothing looks for it again, and {@link #buckets} leaves the markers out of what
 * reports read.
 */
@Component
public class FactStore {

    static final String VERSION = "v";
    static final String CONTRIBUTION = "tallies";
    static final String PENDING = "pending";
    /** When the pending differences were written (or taken over): their writer is applying them until then + grace. */
    static final String PENDING_AT = "pendingAt";
    /**
     * The ids under which the pending differences may have been added to their buckets: their writer's (one per
     * change, or per write of a batch), then one per take-over. A bucket carrying any of them has them already.
     */
    static final String PENDING_IDS = "pendingIds";
    /** On a bucket: the ids of pending differences added to it ({@code applied.<id>}: when), until they are cleared. */
    static final String APPLIED = "applied";
    /**
     * How long pending differences belong to the writer that wrote them. Another writer that finds them younger
     * waits for them to be cleared rather than apply them too (which counted them twice: the writer applies its own
     * right after its write); older ones are a crashed writer's, taken over under a condition and applied once.
     */
    static final long PENDING_GRACE_MILLIS = 30_000;
    /**
     * On a fact document: the id of the batch write that wrote it last, which tells a batch which of its writes
     * another writer's came before (see {@link #completeBatch}).
     */
    static final String WRITER = "w";
    /**
     * How many event ids a counter document keeps: twice the consumer's batch ({@code max.poll.records}, 2,000 in
     * {@code progression-service.yml}). A batch delivered again after a crash (between its writes and the inbox's
     * done-marks) is at most one poll's worth, and one batch more may have been counted on the same document in
     * between (another instance's, or after the restart one of another partition's newer events, which the consumer
     * may fetch before the redelivered ones of the next partition), so the first batch's ids are still there and
     * nothing is counted twice ({@code CountedOnceAfterACrashTest} reads the configured batch size and fails if this
     * does not cover it). It is not a strict bound: more than one such batch in between (a partition's fetch of more
     * than a poll's worth, a second instance slow to take the partitions over) would leave the first ones out. An
     * exact record would be kept per partition (the last poll's worth of each: a partition's redelivered events come
     * back before any newer one of it), which needs the events' partitions in the projections (not done).
     */
    public static final int COUNTED_EVENTS_KEPT = 4000;
    /**
     * How many buckets a thread leaves its cleared markers on (per bucket collection) for them to be removed with the
     * bucket's next increment, in the same update, rather than with an update of their own (removed each with the
     * thread's next bucket write before, they cost one update more per bucket written: about as many as the
     * increments). Beyond it, they are removed with the thread's next bucket write. A marker left on a bucket longer
     * is harmless (see {@link FactStore}).
     */
    static final int MARKED_BUCKETS_KEPT = 4_096;
    public static final String BUCKETS = "buckets";
    public static final String DAYS = "bucket-days";
    /**
     * How many parts each day's index of a family's buckets is split into ({@code family|day|part}, the part by a hash
     * of the bucket's id). One document per day listed every bucket of the day (thousands: 240 kB for the funnel of a
     * day of 2,000 referrals), and the embedded store copies, checks ({@code $addToSet}, element by element) and
     * encodes a whole document on every update: adding a batch's new buckets cost more as the day filled. A part is a
     * sixteenth of it; a report reads the parts of each day (and the whole index written before the split) by
     * {@code _id} in the same round trip.
     */
    static final int DAY_PARTS = 16;

    private final MongoTemplate mongo;
    private final long pendingGraceMillis;
    /** See {@link #MARKED_BUCKETS_KEPT}. */
    private final int markedBucketsKept;
    /** The events each counter document counted last ({@link #count}). */
    private final AppliedEvents counted;
    /** By family: the fields its buckets hand on to running sums over days instead of keeping them ({@link RollUp}). */
    private final Map<String, RollUp> rollUps;
    /** The fact collections whose guard indexes this instance has declared. */
    private final Set<String> guarded = ConcurrentHashMap.newKeySet();
    /**
     * By bucket collection: the buckets this instance has written, which exist (unless their generation was dropped
     * since: forgotten with {@link #unguard}), so that an increment of one carries no fields to set on insert (its
     * family, day and cuts: about half of each update the store and the driver handle). At most
     * {@value #KNOWN_BUCKETS} per collection (then forgotten, and learnt again as they are written).
     */
    private final Map<String, Set<String>> knownBuckets = new ConcurrentHashMap<>();
    static final int KNOWN_BUCKETS = 200_000;
    /** The batch this thread is applying, if any (see {@link #beginBatch}). */
    private final ThreadLocal<Batch> batch = new ThreadLocal<>();
    /**
     * By bucket collection and bucket: the markers of differences this thread has cleared, to remove with its next
     * bucket write to that collection.
     */
    private final ThreadLocal<Map<String, Map<String, Set<String>>>> markersToRemove =
            ThreadLocal.withInitial(HashMap::new);

    /**
     * With the roll-ups the features declare as beans ({@link RollUp}): known from the store's construction, so before
     * any consumer or rebuild writes a difference.
     */
    @Autowired
    FactStore(MongoTemplate mongo, ObjectProvider<RollUp> rollUps) {
        this(mongo, PENDING_GRACE_MILLIS, rollUps.orderedStream().toList(), MARKED_BUCKETS_KEPT);
    }

    /** With another grace period for pending differences (tests: a crashed writer's taken over without a long wait). */
    FactStore(MongoTemplate mongo, long pendingGraceMillis) {
        this(mongo, pendingGraceMillis, MARKED_BUCKETS_KEPT);
    }

    /** As {@link #FactStore(MongoTemplate, long)}, leaving cleared markers on at most {@code markedBucketsKept}. */
    FactStore(MongoTemplate mongo, long pendingGraceMillis, int markedBucketsKept) {
        this(mongo, pendingGraceMillis, List.of(), markedBucketsKept);
    }

    private FactStore(MongoTemplate mongo, long pendingGraceMillis, List<RollUp> rollUps, int markedBucketsKept) {
        this.mongo = mongo;
        this.pendingGraceMillis = pendingGraceMillis;
        this.markedBucketsKept = markedBucketsKept;
        this.counted = new AppliedEvents(mongo, COUNTED_EVENTS_KEPT);
        Map<String, RollUp> byFamily = new HashMap<>();
        for (RollUp rollUp : rollUps) {
            if (byFamily.putIfAbsent(rollUp.family(), rollUp) != null) {
                throw new IllegalStateException("Two roll-ups of family " + rollUp.family());
            }
        }
        this.rollUps = Map.copyOf(byFamily);
    }

    /**
     * What a batch of events does to the store, merged: facts read ahead with one {@code $in} per collection, changed
     * in memory as the events are applied, and written at {@link #completeBatch}, all in one unordered bulk write per
     * collection, each under the version it was read at (or as an insert), with the batch's pending differences;
     * then the bucket increments, the counters and the clearing of the pending differences, one unordered bulk write
     * each. So a crash before the increments are written leaves the differences pending for the next writer, as for
     * a single event, and nothing of the batch is in the store before that write: no other writer ever waits for a
     * batch still being applied. A fact document another writer changed meanwhile (its version moved on) is not
     * written: {@link #completeBatch} leaves its differences out of the buckets and says which generations had such
     * conflicts, for the caller to apply those events again (on the facts as they now are). Every write of the batch
     * has one id for its pending differences, marked on every bucket it increments.
     */
    private static final class Batch {
        /** By collection and id: the facts as last read or changed (null: known to be absent). */
        final Map<String, Map<String, Document>> facts = new HashMap<>();
        /** By generation: the merged differences to add to each bucket. */
        final Map<Generation, Map<String, Document>> increments = new LinkedHashMap<>();
        /** By collection and id: the facts changed in memory, to write with the batch. */
        final Map<String, Map<String, Unwritten>> unwritten = new LinkedHashMap<>();
        /** By collection and id: counters to increment (and fields to set) with the batch. */
        final Map<String, Map<String, Count>> counts = new LinkedHashMap<>();
        /** The id of the pending differences until the next write of the batch. */
        String pendingId = newPendingId();
        /** Why a completion of the batch failed part-way, if one did: it is not completed again. */
        RuntimeException failed;

        boolean changed(String collection, String id) {
            Map<String, Unwritten> changed = unwritten.get(collection);
            return changed != null && changed.containsKey(id);
        }
    }

    /**
     * Facts changed by the batch, not yet written: of which generation, and the version they were read at (null: not
     * in the store, so inserted).
     */
    private record Unwritten(Generation generation, Long readVersion, boolean last) {
    }

    /** A fact document as written with pending differences: its version and the time of its pending differences. */
    private record Written(long version, long pendingAt) {
    }

    /** A counter document's fields to set, and its increments by event. */
    private record Count(Map<String, Object> set, Map<String, Map<String, Long>> byEvent) {
    }

    /**
     * Fields of {@code family}'s buckets (those starting with one of {@code fields}) kept instead in running sums over
     * days ({@link DayTree}): family {@code into}, by the cuts {@code dims} only. What things add to those fields goes
     * to the nodes of a {@link DayTree}, one per length of block ({@code into@1}, {@code into@8}, {@code into@64}, each
     * with its day index; {@code family} keeps the other fields): a report reads a window from at most 33 blocks, by
     * the cuts the roll-up keeps, however many days the window has and however many things fell in it (see
     * {@link #runningSums}). Differences are rolled up as they are made, so the nodes follow every change, redelivery
     * and crash as the buckets do.
     *
     * <p>Declared as a bean by the feature that owns the family; the store collects them when it is made, so no
     * difference is ever written before its family's roll-up is known (one per family).
     */
    public record RollUp(String family, String into, List<String> dims, List<String> fields) {

        boolean rolls(String field) {
            return fields.stream().anyMatch(field::startsWith);
        }
    }

    /** {@code differences} with the fields that roll up moved to their nodes (see {@link RollUp}). */
    private List<Document> rolledUp(List<Document> differences) {
        if (rollUps.isEmpty() || differences.isEmpty()) {
            return differences;
        }
        List<Document> kept = new ArrayList<>();
        List<Document> nodes = new ArrayList<>();
        for (Document difference : differences) {
            RollUp rollUp = rollUps.get(difference.getString("f"));
            if (rollUp == null) {
                kept.add(difference);
                continue;
            }
            Document counts = difference.get("c", Document.class);
            Document stays = new Document();
            Document rolls = new Document();
            counts.forEach((field, n) -> (rollUp.rolls(field) ? rolls : stays).append(field, n));
            if (!stays.isEmpty()) {
                kept.add(new Document(difference).append("c", stays));
            }
            if (rolls.isEmpty()) {
                continue;
            }
            Document dims = difference.get("d", Document.class);
            Map<String, String> cuts = new java.util.TreeMap<>();
            rollUp.dims().forEach(dim -> cuts.put(dim, dims.getString(dim)));
            for (DayTree.Node node : DayTree.covering(LocalDate.parse(difference.getString("day")))) {
                Tally tally = new Tally(nodeFamily(rollUp, node.span()), node.first(), cuts, Map.of());
                nodes.add(new Document("b", tally.id()).append("f", tally.family())
                        .append("day", node.first().toString())
                        .append("d", new Document(new LinkedHashMap<>(tally.dims())))
                        .append("c", new Document(rolls)));
            }
        }
        return nodes.isEmpty() ? kept : merge(kept, nodes);
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
     * Writes what the batch changed and held back: the facts (one bulk write per collection, each document under the
     * version it was read at), every bucket's merged increment (one bulk write per generation, plus one for new
     * buckets' day indexes), the counters (one bulk write per collection), then clears the pending differences (one
     * bulk write per collection). The facts written stay known for the rest of the batch. The buckets' markers are
     * removed later (see {@link FactStore}), and only if every pending difference was cleared here: one that was not
     * (taken over meanwhile) is still looked for by its id. Once a completion has failed, the batch is not completed
     * again (it throws): the inbox completes a batch again after a failure before an erasure in it, then marks the
     * events handled so far done, and what the failed attempt wrote is pending in the store, not known to the batch.
     * The batch is received again whole instead, and finds its facts pending as after a crash.
     *
     * @return the generations some of whose facts another writer changed meanwhile: those were not written, nor
     *         their differences added; the events applied to them since the batch began (or last completed) are to be
     *         applied again, on the facts as they now are, and the batch completed again
     */
    public Set<Generation> completeBatch() {
        Batch current = batch.get();
        if (current == null) {
            return Set.of();
        }
        if (current.failed != null) {
            // What the failed completion wrote (facts with pending differences, buckets marked with their id) is
            // known to the store, not to this batch: completed again, it would clear nothing and let the buckets'
            // markers go, so that a later take-over counted the differences twice. Received again whole instead,
            // the batch finds its facts pending and takes them over once, as after a crash.
            throw new IllegalStateException("The batch's writes failed part-way; it is to be received again",
                    current.failed);
        }
        try {
            return complete(current);
        } catch (RuntimeException failure) {
            current.failed = failure;
            throw failure;
        }
    }

    private Set<Generation> complete(Batch current) {
        String applied = current.pendingId;
        Set<Generation> conflicts = new LinkedHashSet<>();
        Map<String, Map<String, Written>> pending = writeFacts(current, applied, conflicts);
        Map<Generation, List<String>> marked = new LinkedHashMap<>();
        current.increments.forEach((generation, buckets) -> {
            apply(generation, List.copyOf(buckets.values()), applied);
            marked.put(generation, List.copyOf(buckets.keySet()));
        });
        current.increments.clear();
        current.counts.forEach((collection, counts) -> {
            // The events each document has counted already (a batch delivered again after a crash).
            Map<String, List<String>> already = new HashMap<>();
            Query ahead = Query.query(Criteria.where("_id").in(counts.keySet()));
            ahead.fields().include(AppliedEvents.FIELD);
            for (Document seen : mongo.find(ahead, Document.class, collection)) {
                already.put(seen.getString("_id"), AppliedEvents.appliedIn(seen));
            }
            BulkOperations upserts = mongo.bulkOps(BulkMode.UNORDERED, collection);
            boolean any = false;
            for (Map.Entry<String, Count> entry : counts.entrySet()) {
                Set<String> seen = new HashSet<>(already.getOrDefault(entry.getKey(), List.of()));
                Update update = new Update();
                List<String> counting = new ArrayList<>();
                Map<String, Long> sum = new LinkedHashMap<>();
                entry.getValue().byEvent().forEach((eventId, increments) -> {
                    if (!seen.contains(eventId)) {
                        counting.add(eventId);
                        increments.forEach((field, n) -> sum.merge(field, n, Long::sum));
                    }
                });
                if (counting.isEmpty()) {
                    continue;
                }
                entry.getValue().set().forEach(update::set);
                sum.forEach(update::inc);
                upserts.upsert(byId(entry.getKey()), counted.recording(update, counting));
                any = true;
            }
            if (any) {
                upserts.execute();
            }
        });
        current.counts.clear();
        boolean allCleared = true;
        for (Map.Entry<String, Map<String, Written>> written : pending.entrySet()) {
            String collection = written.getKey();
            BulkOperations clears = mongo.bulkOps(BulkMode.UNORDERED, collection);
            written.getValue().forEach((id, as) -> clears.updateOne(Query.query(Criteria.where("_id").is(id)
                    .and(VERSION).is(as.version()).and(PENDING_AT).is(as.pendingAt())), clearing()));
            allCleared &= clears.execute().getMatchedCount() == written.getValue().size();
            Map<String, Document> known = current.facts.getOrDefault(collection, Map.of());
            written.getValue().keySet().forEach(id -> {
                Document kept = known.get(id);
                if (kept != null) {
                    kept.remove(PENDING);
                    kept.remove(PENDING_AT);
                    kept.remove(PENDING_IDS);
                }
            });
        }
        if (allCleared) {
            marked.forEach((generation, buckets) -> removeMarkersLater(generation, buckets, List.of(applied)));
        }
        current.pendingId = newPendingId();
        return conflicts;
    }

    /**
     * Writes the facts the batch changed, one unordered bulk write per collection: each document under the version it
     * was read at (or inserted), with its pending differences under {@code applied} and the time now. A document
     * another writer changed meanwhile is not written: it is forgotten (read again when next needed), its differences
     * are taken out of the batch's increments, and its generation goes into {@code conflicts}.
     *
     * @return by collection and id: the documents written with pending differences, to clear once added
     */
    private Map<String, Map<String, Written>> writeFacts(Batch current, String applied, Set<Generation> conflicts) {
        Map<String, Map<String, Written>> pending = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        writeFacts(current, false, applied, now, conflicts, pending);
        // Facts whose hand-over the others complete (see changeAfterOthers) go last, and only where the others of
        // their generation were all written: else they stay as stored, for the events to be applied again.
        writeFacts(current, true, applied, now, conflicts, pending);
        current.unwritten.clear();
        return pending;
    }

    /** Writes the changed facts that go {@code last} (or not), as {@link #writeFacts(Batch, String, Set)} says. */
    private void writeFacts(Batch current, boolean last, String applied, long now, Set<Generation> conflicts,
                            Map<String, Map<String, Written>> pending) {
        Set<Generation> lostAlready = Set.copyOf(conflicts);
        for (Map.Entry<String, Map<String, Unwritten>> changedIn : current.unwritten.entrySet()) {
            String collection = changedIn.getKey();
            Map<String, Unwritten> changed = new LinkedHashMap<>();
            changedIn.getValue().forEach((id, unwritten) -> {
                if (unwritten.last() == last) {
                    changed.put(id, unwritten);
                }
            });
            if (changed.isEmpty()) {
                continue;
            }
            Map<String, Document> known = current.facts.get(collection);
            BulkOperations writes = mongo.bulkOps(BulkMode.UNORDERED, collection);
            int replaced = 0;
            int inserted = 0;
            Set<String> notWritten = new HashSet<>();
            for (Map.Entry<String, Unwritten> entry : changed.entrySet()) {
                if (lostAlready.contains(entry.getValue().generation())) {
                    notWritten.add(entry.getKey());
                    continue;
                }
                Document document = known.get(entry.getKey());
                document.put(WRITER, applied);
                if (document.get(PENDING) != null) {
                    document.put(PENDING_AT, now);
                    document.put(PENDING_IDS, List.of(applied));
                }
                if (entry.getValue().readVersion() == null) {
                    writes.insert(document);
                    inserted++;
                } else {
                    writes.replaceOne(Query.query(Criteria.where("_id").is(entry.getKey()).and(VERSION)
                            .is(entry.getValue().readVersion())), document);
                    replaced++;
                }
            }
            if (replaced + inserted > 0) {
                boolean allWritten;
                try {
                    var result = writes.execute();
                    allWritten = result.getMatchedCount() == replaced && result.getInsertedCount() == inserted;
                } catch (BulkOperationException raced) {
                    // An insert found the document there already (another writer made it); the others were written.
                    if (raced.getErrors().stream().anyMatch(error -> error.getCode() != 11000)) {
                        throw raced;
                    }
                    allWritten = false;
                }
                if (!allWritten) {
                    List<String> tried = changed.keySet().stream().filter(id -> !notWritten.contains(id)).toList();
                    notWritten.addAll(notWritten(collection, tried, applied));
                }
            }
            for (Map.Entry<String, Unwritten> entry : changed.entrySet()) {
                String id = entry.getKey();
                Document document = known.get(id);
                if (notWritten.contains(id)) {
                    known.remove(id);
                    conflicts.add(entry.getValue().generation());
                    Map<String, Document> held = current.increments.computeIfAbsent(entry.getValue().generation(),
                            g -> new LinkedHashMap<>());
                    for (Document difference : document.getList(PENDING, Document.class, List.of())) {
                        Document into = held.get(difference.getString("b"));
                        List<Document> rest = merge(into == null ? List.of() : List.of(into),
                                List.of(negated(difference)));
                        if (rest.isEmpty()) {
                            held.remove(difference.getString("b"));
                        } else {
                            held.put(difference.getString("b"), rest.getFirst());
                        }
                    }
                } else if (document.get(PENDING) != null) {
                    pending.computeIfAbsent(collection, c -> new LinkedHashMap<>())
                            .put(id, new Written(((Number) document.get(VERSION)).longValue(), now));
                }
            }
        }
    }

    /** Which of {@code ids} this write ({@code applied}) did not write: another writer's version is there instead. */
    private Set<String> notWritten(String collection, Collection<String> ids, String applied) {
        Set<String> notWritten = new HashSet<>(ids);
        // By _id only (the index the embedded store serves), the writer checked here.
        Query written = Query.query(Criteria.where("_id").in(ids));
        written.fields().include(WRITER);
        for (Document found : mongo.find(written, Document.class, collection)) {
            if (applied.equals(found.getString(WRITER))) {
                notWritten.remove(found.getString("_id"));
            }
        }
        return notWritten;
    }

    private static Document negated(Document difference) {
        Document counts = new Document();
        difference.get("c", Document.class).forEach((field, n) -> counts.append(field, -((Number) n).longValue()));
        return new Document(difference).append("c", counts);
    }

    /** Ends this thread's batch; what was not completed is dropped (its facts stay pending for the next writer). */
    public void endBatch() {
        batch.remove();
    }

    /**
     * Increments {@code increments} (and sets {@code set}) on document {@code id} of {@code collection}, creating it
     * if needed, for event {@code eventId}, once: the event's id is recorded in the same update as its increment (the
     * last {@value #COUNTED_EVENTS_KEPT} of each document, {@link AppliedEvents}), and an event found there is not
     * counted again, so a crash between this write and the inbox's done mark does not count it twice. At once, or
     * with the batch (whose documents are read ahead, that field only, in one round trip per collection).
     */
    public void count(Generation generation, String collection, String id, String eventId, Map<String, Object> set,
                      Map<String, Long> increments) {
        String target = generation.collection(collection);
        Batch current = batch.get();
        if (current == null) {
            Update update = new Update();
            set.forEach(update::set);
            increments.forEach(update::inc);
            counted.applyOnce(target, id, eventId, update, true);
            return;
        }
        Count count = current.counts.computeIfAbsent(target, c -> new LinkedHashMap<>()).computeIfAbsent(id,
                i -> new Count(new LinkedHashMap<>(), new LinkedHashMap<>()));
        count.set().putAll(set);
        count.byEvent().merge(eventId, new LinkedHashMap<>(increments), (held, more) -> {
            more.forEach((field, n) -> held.merge(field, n, Long::sum));
            return held;
        });
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

    /**
     * Declares, once per fact collection, the unique indexes on exactly the fields of its guarded writes: the replace
     * under a version ({@code _id}, {@code v}) and the clear of pending differences ({@code _id}, {@code v},
     * {@code pendingAt}). Real MongoDB serves both from {@code _id}; the embedded store would read the whole
     * collection for each without them (see {@link GuardIndexes}). A generation dropped (or no longer fed, as
     * another instance may drop it) is forgotten here ({@link #unguard}), so its collections made again under the
     * same number (the next rebuild after an abandoned one) are guarded again.
     */
    private void guard(String facts) {
        if (guarded.add(facts)) {
            GuardIndexes.declare(mongo, facts, VERSION);
            GuardIndexes.declare(mongo, facts, VERSION, PENDING_AT);
        }
    }

    /**
     * Forgets that {@code generation}'s collections are guarded, and which of its buckets exist: they are dropped, or
     * may be (see {@link #guard}).
     */
    public void unguard(Generation generation) {
        guarded.removeIf(generation::owns);
        knownBuckets.keySet().removeIf(generation::owns);
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
        return change(generation, collection, id, false, null, false, update, derive);
    }

    /**
     * As {@link #change(Generation, String, String, Consumer, Function)}, for a change that hands something over to
     * other things and is only to be kept once they have it: taking the referrals that wait to learn a learner's
     * locality (or an opportunity's kind, or a referral's agencies) off the list, once each of them was changed. One
     * at a time, the caller changes the others first. In a batch, this document is written after the batch's other
     * facts, and only if all of those of its generation were written: when one of them lost a race to another writer,
     * the list stays as stored, and the batch's events, applied again, find it and hand it over again. (Written with
     * the others, the list was gone while a referral's change was not written: the referral never learnt it.)
     */
    public Facts changeAfterOthers(Generation generation, String collection, String id, Consumer<Facts> update,
                                   Function<Facts, List<Tally>> derive) {
        return change(generation, collection, id, false, null, true, update, derive);
    }

    /**
     * As {@link #change(Generation, String, String, Consumer, Function)}, starting from {@code known}: the facts about
     * {@code id} just read with {@link #find} (null: none kept), which saves reading them again. Stale facts cost
     * nothing but a retry: the write is made under their version (or as an insert, which fails if they now exist).
     */
    public Facts change(Generation generation, String collection, String id, Facts known, Consumer<Facts> update,
                        Function<Facts, List<Tally>> derive) {
        return change(generation, collection, id, true, known == null ? null : known.document(), false, update,
                derive);
    }

    private Facts change(Generation generation, String collection, String id, boolean prefetched, Document known,
                         boolean last, Consumer<Facts> update, Function<Facts, List<Tally>> derive) {
        String facts = generation.collection(collection);
        guard(facts);
        Batch current = batch.get();
        boolean first = prefetched;
        while (true) {
            // Facts this batch changed are only in memory: as the batch has them, whatever the caller read before.
            boolean own = current != null && current.changed(facts, id);
            Document stored = first && !own ? known : read(facts, id);
            first = false;
            if (stored != null && stored.get(PENDING) != null && !own) {
                awaitOrTakeOver(generation, facts, stored);
                forgetKnown(facts, id);
                continue;
            }
            Document working = stored == null ? new Document("_id", id) : new Document(stored);
            long version = working.get(VERSION) instanceof Number n ? n.longValue() : 0;
            List<Document> before = working.getList(CONTRIBUTION, Document.class, List.of());
            working.remove(VERSION);
            working.remove(CONTRIBUTION);
            working.remove(WRITER);
            // What was pending is this batch's own (merged below) or nothing: never kept as it was.
            working.remove(PENDING);
            working.remove(PENDING_AT);
            working.remove(PENDING_IDS);
            Facts changing = new Facts(working);
            update.accept(changing);
            if (!changing.changed()) {
                return new Facts(stored == null ? working : stored);
            }
            List<Document> after = derive.apply(changing).stream().map(FactStore::toDocument).toList();
            List<Document> difference = rolledUp(difference(before, after));
            if (current != null) {
                // Written with the batch, under the version it was read at: changed again, it keeps the new version.
                Document changed = new Document(working).append(VERSION, own ? version : version + 1)
                        .append(CONTRIBUTION, after);
                // The document's pending differences are all this batch has not yet added to the buckets.
                List<Document> pending = own ? merge(stored.getList(PENDING, Document.class, List.of()), difference)
                        : difference;
                if (!pending.isEmpty()) {
                    changed.append(PENDING, pending);
                }
                current.facts.computeIfAbsent(facts, c -> new HashMap<>()).put(id, changed);
                Map<String, Unwritten> unwritten = current.unwritten.computeIfAbsent(facts,
                        c -> new LinkedHashMap<>());
                if (!own) {
                    unwritten.put(id, new Unwritten(generation, stored == null ? null : version, last));
                } else if (last) {
                    unwritten.computeIfPresent(id, (i, was) -> new Unwritten(was.generation(), was.readVersion(),
                            true));
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
                return new Facts(changed);
            }
            Document written = new Document(working).append(VERSION, version + 1).append(CONTRIBUTION, after);
            String pendingId = newPendingId();
            long pendingAt = System.currentTimeMillis();
            if (!difference.isEmpty()) {
                written.append(PENDING, difference).append(PENDING_AT, pendingAt)
                        .append(PENDING_IDS, List.of(pendingId));
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
                apply(generation, difference, pendingId);
                if (mongo.updateFirst(Query.query(Criteria.where("_id").is(id).and(VERSION).is(version + 1)
                        .and(PENDING_AT).is(pendingAt)), clearing(), facts).getMatchedCount() > 0) {
                    removeMarkersLater(generation, bucketIds(difference), List.of(pendingId));
                }
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
        // Changed by this batch only in memory: not written now (what it held back for the buckets stays held, counts
        // being about no one); the stored facts, as they were read, are removed below.
        boolean own = current != null && current.changed(facts, id)
                && current.unwritten.get(facts).remove(id) != null;
        Document stored = own ? null : read(facts, id);
        while (stored != null && stored.get(PENDING) != null) {
            awaitOrTakeOver(generation, facts, stored);
            forgetKnown(facts, id);
            stored = read(facts, id);
        }
        mongo.remove(Query.query(Criteria.where("_id").is(id)), facts);
        if (current != null) {
            current.facts.computeIfAbsent(facts, c -> new HashMap<>()).put(id, null);
        }
    }

    /**
     * Pending differences found by another writer: young ones are still being applied by the writer that wrote them,
     * so this one waits a moment and reads again; old ones (their writer stopped before it cleared them) are taken over
     * by a conditional write that only one writer wins, under an id of its own added to theirs, and that one adds them
     * to each bucket that carries none of their ids yet (their writer, or an earlier take-over, may have added them to
     * some or all of their buckets before it stopped).
     */
    private void awaitOrTakeOver(Generation generation, String facts, Document stored) {
        long writtenAt = stored.get(PENDING_AT) instanceof Number n ? n.longValue() : 0;
        long now = System.currentTimeMillis();
        if (now - writtenAt < pendingGraceMillis) {
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
        List<String> ids = new ArrayList<>(stored.getList(PENDING_IDS, String.class, List.of()));
        ids.add(newPendingId());
        if (mongo.updateFirst(Query.query(same), new Update().set(PENDING_AT, now).set(PENDING_IDS, ids), facts)
                .getModifiedCount() == 0) {
            return;
        }
        // Won: the pending differences are this writer's now, under their new time.
        List<Document> pending = stored.getList(PENDING, Document.class);
        applyTakenOver(generation, pending, ids);
        if (mongo.updateFirst(Query.query(Criteria.where("_id").is(stored.get("_id")).and(VERSION)
                .is(stored.get(VERSION)).and(PENDING_AT).is(now)), clearing(), facts).getMatchedCount() > 0) {
            removeMarkersLater(generation, bucketIds(pending), ids);
        }
    }

    /**
     * Increments the buckets and marks each with {@code applied} (the id of the pending differences), all in one
     * unordered bulk write (one round trip whatever the number of buckets; each difference is for a distinct bucket),
     * which also removes the markers this thread has cleared since on the buckets it increments again; then adds the
     * buckets it created to their days' indexes, again in one bulk write, one update per part of a day's index. The
     * markers of other buckets wait for their bucket's next increment, up to {@value #MARKED_BUCKETS_KEPT} buckets,
     * and are then removed with this write, an update each.
     */
    private void apply(Generation generation, List<Document> differences, String applied) {
        if (differences.isEmpty()) {
            return;
        }
        String collection = generation.collection(BUCKETS);
        Map<String, Set<String>> cleared = markersToRemove.get().get(collection);
        Set<String> known = knownBuckets.computeIfAbsent(collection, c -> ConcurrentHashMap.newKeySet());
        boolean[] bare = new boolean[differences.size()];
        long now = System.currentTimeMillis();
        BulkOperations increments = mongo.bulkOps(BulkMode.UNORDERED, collection);
        for (int i = 0; i < differences.size(); i++) {
            Document difference = differences.get(i);
            bare[i] = known.contains(difference.getString("b"));
            Update update = (bare[i] ? counts(difference) : increment(difference)).set(marker(applied), now);
            Set<String> old = cleared == null ? null : cleared.remove(difference.getString("b"));
            if (old != null) {
                old.forEach(id -> update.unset(marker(id)));
            }
            increments.upsert(byId(difference.getString("b")), update);
        }
        if (cleared != null && cleared.size() > markedBucketsKept) {
            cleared.forEach((bucket, ids) -> {
                Update update = new Update();
                ids.forEach(id -> update.unset(marker(id)));
                increments.updateOne(byId(bucket), update);
            });
            cleared.clear();
        }
        Set<Integer> created = new HashSet<>();
        for (BulkWriteUpsert upsert : increments.execute().getUpserts()) {
            created.add(upsert.getIndex());
        }
        List<Document> newBuckets = new ArrayList<>();
        BulkOperations described = null;
        for (int i = 0; i < differences.size(); i++) {
            if (created.contains(i)) {
                newBuckets.add(differences.get(i));
                if (bare[i]) {
                    // Known, yet made now (its collection was dropped and made again meanwhile): given what an insert
                    // sets.
                    described = described != null ? described : mongo.bulkOps(BulkMode.UNORDERED, collection);
                    Update describe = new Update();
                    describing(differences.get(i)).forEach(describe::set);
                    described.updateOne(byId(differences.get(i).getString("b")), describe);
                }
            }
        }
        if (described != null) {
            described.execute();
        }
        index(generation, newBuckets);
        if (known.size() > KNOWN_BUCKETS) {
            known.clear();
        }
        differences.forEach(difference -> known.add(difference.getString("b")));
    }

    /**
     * Taken-over differences: each added to its bucket unless the bucket carries one of {@code ids}, in one update
     * conditional on that (a bucket not there yet is created by it; one that is there with a marker makes the upsert
     * a duplicate key, which means the difference is in it already), marked with the last id, this writer's. Rare
     * (a writer stopped between its writes), so one round trip per bucket. Then every bucket goes into its day's index
     * (its writer may have stopped before it indexed the buckets it created).
     */
    private void applyTakenOver(Generation generation, List<Document> differences, List<String> ids) {
        String collection = generation.collection(BUCKETS);
        long now = System.currentTimeMillis();
        for (Document difference : differences) {
            Criteria notYet = Criteria.where("_id").is(difference.getString("b"));
            for (String id : ids) {
                notYet = notYet.and(marker(id)).exists(false);
            }
            try {
                mongo.upsert(Query.query(notYet), increment(difference).set(marker(ids.getLast()), now), collection);
            } catch (DuplicateKeyException alreadyAdded) {
                // The bucket exists and carries one of the ids: this difference was added to it before the crash.
            }
        }
        index(generation, differences);
    }

    /** A difference as a bucket update: its counts incremented, the bucket's family, day and cuts set if new. */
    private static Update increment(Document difference) {
        Update update = counts(difference);
        describing(difference).forEach(update::setOnInsert);
        return update;
    }

    /** A difference as an update of a bucket that exists: its counts incremented. */
    private static Update counts(Document difference) {
        Update update = new Update();
        difference.get("c", Document.class).forEach((field, n) ->
                update.inc(field.replace('/', '.'), ((Number) n).longValue()));
        return update;
    }

    /** What a new bucket of {@code difference} is given besides its counts: its family, day and cuts. */
    private static Map<String, Object> describing(Document difference) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("family", difference.getString("f"));
        fields.put("day", difference.getString("day"));
        fields.putAll(difference.get("d", Document.class));
        return fields;
    }

    /**
     * Adds the buckets of {@code differences} to their days' indexes, in one bulk write, one update per part of a
     * day's index ({@link #DAY_PARTS}).
     */
    private void index(Generation generation, List<Document> differences) {
        Map<String, List<String>> byDay = new LinkedHashMap<>();
        for (Document difference : differences) {
            byDay.computeIfAbsent(dayPartKey(difference.getString("f"), difference.getString("day"),
                    difference.getString("b")), day -> new ArrayList<>()).add(difference.getString("b"));
        }
        if (byDay.isEmpty()) {
            return;
        }
        BulkOperations days = mongo.bulkOps(BulkMode.UNORDERED, generation.collection(DAYS));
        byDay.forEach((day, buckets) -> days.upsert(byId(day),
                new Update().addToSet("buckets").each(buckets.toArray())));
        days.execute();
    }

    /** Notes that {@code buckets} no longer need the markers {@code ids}: removed with this thread's next write. */
    private void removeMarkersLater(Generation generation, Collection<String> buckets, List<String> ids) {
        Map<String, Set<String>> byBucket = markersToRemove.get()
                .computeIfAbsent(generation.collection(BUCKETS), c -> new HashMap<>());
        buckets.forEach(bucket -> byBucket.computeIfAbsent(bucket, b -> new HashSet<>()).addAll(ids));
    }

    private static List<String> bucketIds(List<Document> differences) {
        return differences.stream().map(difference -> difference.getString("b")).toList();
    }

    private static String marker(String pendingId) {
        return APPLIED + "." + pendingId;
    }

    private static String newPendingId() {
        return UUID.randomUUID().toString();
    }

    private static Update clearing() {
        return new Update().unset(PENDING).unset(PENDING_AT).unset(PENDING_IDS);
    }

    private static Query byId(String id) {
        return Query.query(Criteria.where("_id").is(id));
    }

    static String dayKey(String family, String day) {
        return family + "|" + day;
    }

    /**
     * The part of {@code family}'s index of {@code day} that lists {@code bucket} (see {@link #DAY_PARTS}): by a hash
     * of the bucket's id ({@link String#hashCode} is the same in every JVM).
     */
    static String dayPartKey(String family, String day, String bucket) {
        return dayKey(family, day) + "|" + Math.floorMod(bucket.hashCode(), DAY_PARTS);
    }

    /**
     * The keys of every part of the day indexes {@code dayKeys}, and those keys themselves (the whole index of a day,
     * as written before the indexes were split).
     */
    private static List<String> withParts(Collection<String> dayKeys) {
        List<String> keys = new ArrayList<>(dayKeys.size() * (DAY_PARTS + 1));
        for (String dayKey : dayKeys) {
            keys.add(dayKey);
            for (int part = 0; part < DAY_PARTS; part++) {
                keys.add(dayKey + "|" + part);
            }
        }
        return keys;
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

    /**
     * Every bucket of {@code family} for the days from {@code from} to {@code to} (inclusive), by {@code _id}; without
     * the markers of pending differences ({@code applied}), which are no figure.
     */
    public List<Document> buckets(Generation generation, String family, LocalDate from, LocalDate to) {
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            days.add(day);
        }
        return buckets(generation, family, days);
    }

    /**
     * What the things of the days from {@code from} to {@code to} (inclusive) added to the fields {@code family}
     * rolls up into {@code rollUp.into()}, by the roll-up's cuts ({@link RollUp}): the sum of the blocks of days that
     * tile the window ({@link DayTree#window}, at most 33 for 366 days), and of the nodes written before the blocks
     * (a Fenwick tree: everything up to {@code to} minus everything up to the day before {@code from}), which the next
     * rebuild leaves none of. Each document holds the cuts and the summed fields (sub-documents, such as a sketch's
     * bins, summed field by field).
     */
    public List<Document> runningSums(Generation generation, RollUp rollUp, LocalDate from, LocalDate to) {
        Map<String, Integer> signs = new HashMap<>();
        for (DayTree.Node node : DayTree.window(from, to)) {
            signs.put(dayKey(nodeFamily(rollUp, node.span()), node.first().toString()), 1);
        }
        // Nodes of the Fenwick tree (written before the blocks): a node on both sides cancels out.
        for (LocalDate day : DayTree.legacyUpTo(to)) {
            signs.merge(dayKey(rollUp.into(), day.toString()), 1, Integer::sum);
        }
        for (LocalDate day : DayTree.legacyUpTo(from.minusDays(1))) {
            signs.merge(dayKey(rollUp.into(), day.toString()), -1, Integer::sum);
        }
        signs.values().removeIf(sign -> sign == 0);
        Map<String, Document> sums = new LinkedHashMap<>();
        for (Document node : bucketsOf(generation, signs.keySet())) {
            int sign = signs.getOrDefault(dayKey(node.getString("family"), node.getString("day")), 0);
            if (sign == 0) {
                continue;
            }
            StringBuilder key = new StringBuilder();
            Document sum = new Document();
            for (String dim : rollUp.dims()) {
                key.append(node.getString(dim)).append('|');
                sum.append(dim, node.getString(dim));
            }
            Document into = sums.computeIfAbsent(key.toString(), k -> sum);
            node.forEach((field, value) -> {
                if (rollUp.rolls(field)) {
                    addInto(into, field, value, sign);
                }
            });
        }
        return new ArrayList<>(sums.values());
    }

    /** The family of a roll-up's blocks of {@code span} days ({@link DayTree}): each has its own day index. */
    static String nodeFamily(RollUp rollUp, int span) {
        return rollUp.into() + "@" + span;
    }

    private static void addInto(Document into, String field, Object value, int sign) {
        if (value instanceof Document nested) {
            Document target = into.get(field) instanceof Document d ? d : new Document();
            into.put(field, target);
            nested.forEach((inner, n) -> addInto(target, inner, n, sign));
        } else if (value instanceof Number n) {
            long now = into.get(field) instanceof Number m ? m.longValue() : 0;
            into.put(field, now + sign * n.longValue());
        }
    }

    /** Every bucket of {@code family} on {@code days}, by {@code _id}, without the markers ({@code applied}). */
    private List<Document> buckets(Generation generation, String family, Collection<LocalDate> days) {
        return bucketsOf(generation, days.stream().distinct().map(day -> dayKey(family, day.toString())).toList());
    }

    /** Every bucket the day indexes {@code dayKeys} list, by {@code _id}, without the markers ({@code applied}). */
    private List<Document> bucketsOf(Generation generation, Collection<String> dayKeys) {
        // A bucket indexed before the indexes were split, and again in a part (a taken-over difference), is read once.
        Set<String> listed = new LinkedHashSet<>();
        for (Document day : mongo.find(Query.query(Criteria.where("_id").in(withParts(dayKeys))), Document.class,
                generation.collection(DAYS))) {
            listed.addAll(day.getList("buckets", String.class, List.of()));
        }
        List<String> keys = new ArrayList<>(listed);
        List<Document> buckets = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i += 500) {
            Query query = Query.query(Criteria.where("_id").in(keys.subList(i, Math.min(keys.size(), i + 500))));
            query.fields().exclude(APPLIED);
            for (Document bucket : mongo.find(query, Document.class, generation.collection(BUCKETS))) {
                bucket.remove(APPLIED);
                buckets.add(bucket);
            }
        }
        return buckets;
    }
}
