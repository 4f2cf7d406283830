package org.pathways.notification.feed;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;

import com.mongodb.client.result.UpdateResult;
import org.bson.Document;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.inbox.RoundTrips;
import org.pathways.messaging.store.UniqueInserts;
import org.pathways.notification.config.FeedProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.MongoPersistentEntityIndexResolver;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Each agency's replayable feed of the events that concern it, in one order per agency: a counter document per agency
 * hands out sequence numbers, so a reader that remembers the last sequence it saw (its cursor) gets everything after
 * it, nothing missed and nothing twice.
 *
 * <p><b>No reader skips an entry.</b> A writer takes its numbers and records them as <em>in flight</em> in one write of
 * the counter (a compare-and-set on its {@code sequence}: {@code inFlight: [{from, to, until}]}), inserts its entries
 * (their {@code recordedAt} taken after the numbers), and only then takes its numbers off the list. A reader reads the
 * counter first and then reads only up to the lowest number still in flight (and no further than the counter's
 * {@code sequence} as it read it): every number below that was written, or will never be. So however long a writer is
 * held between taking its numbers and writing them (a GC pause, a slow store), readers wait for it at its first number
 * rather than page past it. Only for {@link FeedProperties#reservationLease} (30 s): a writer that has not written by
 * then (it crashed, or its write failed) is given up on: the next reader fills its numbers that are still free with
 * gaps ({@link FeedEntry#gap}), which the unique (agency, sequence) index then holds against the writer, and reads on;
 * a writer that comes back later finds its insert refused and numbers those entries again, after. So an entry is
 * either read at its first number or at a later one, never skipped, and never twice.
 *
 * <p>A number whose event was already in the feed (routed at the same moment elsewhere) is filled with a gap by its
 * writer, and an entry a consent withdrawal takes back is emptied into a gap at its number ({@link #remove}): gaps
 * are entries, which readers pass at once. A <em>hole</em> (a number with no entry at all) below the lowest in-flight
 * one can therefore only come from an instance of a version before reservations (a rolling deploy), which does not
 * list what it holds: for those, as before, a reader stops at the hole unless the entry after it has settled
 * ({@link #SETTLE}).
 *
 * <p>Entries older than the retention are purged, oldest first by sequence; the agency's counter document keeps the
 * last purged sequence ({@code purgedThrough}, raised before the entries go), so a cursor before it is refused as
 * expired rather than silently skipping what was purged.
 *
 * <p>A batch consumer holds its appends back ({@link #beginBatch}) and writes those of the whole batch at once
 * ({@link #takeBatch}): one read by {@code _id} for the entries already there (an entry's id is its agency and
 * event), one compare-and-set per agency for a run of sequence numbers, in the batch's order (the agencies' at once),
 * one bulk insert, and one bulk write taking the runs off the agencies' in-flight lists.
 */
@Component
public class AgencyFeed implements InitializingBean, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(AgencyFeed.class);
    static final Duration SETTLE = Duration.ofSeconds(5);
    private static final String COUNTERS = "feed_counters";
    private static final String IN_FLIGHT = "inFlight";
    /** How often a batch's entries are numbered again because readers gave up on their numbers, before it fails. */
    private static final int NUMBERINGS = 3;
    /** Compare-and-sets of one agency's counter lost to other writers in a row before a write gives up. */
    private static final int RESERVE_ATTEMPTS = 200;

    /** How many agencies' reservations of one batch go to the store at once (see {@link #reserveAll}). */
    static final int SEQUENCES_AT_ONCE = 8;
    private static final ContextSnapshotFactory CONTEXT = ContextSnapshotFactory.builder().build();

    private final MongoTemplate mongo;
    private final Clock clock;
    private final Duration reservationLease;
    private final ExecutorService sequences = Executors.newFixedThreadPool(SEQUENCES_AT_ONCE,
            Thread.ofPlatform().name("feed-sequences-", 1).daemon().factory());
    /**
     * Each agency's counter as this instance last left it: the compare-and-set's first guess, right unless another
     * instance numbered the agency's entries since (then one read of the counter, and again).
     */
    private final Map<String, Long> lastTaken = new ConcurrentHashMap<>();

    AgencyFeed(MongoTemplate mongo, Clock clock, FeedProperties properties) {
        this.mongo = mongo;
        this.clock = clock;
        this.reservationLease = properties.reservationLease();
    }

    @Override
    public void afterPropertiesSet() {
        var indexes = mongo.indexOps(FeedEntry.class);
        new MongoPersistentEntityIndexResolver(mongo.getConverter().getMappingContext())
                .resolveIndexFor(FeedEntry.class).forEach(indexes::createIndex);
    }

    /** One append held back by a batch. */
    private record Held(String agencyId, ReceivedEvent event, String body) {

        String key() {
            return FeedEntry.idOf(agencyId, event.id());
        }
    }

    /** A run of an agency's numbers taken by a writer and listed in flight until it took them off again. */
    private record Reservation(String agencyId, long from, long to, Instant until) {
    }

    /** A feed page: the entries (no gaps) and the cursor to read on from (past any gaps read). */
    record Page(List<FeedEntry> entries, long next) {
    }

    /** The appends this thread's batch holds back, in order; none outside a batch. */
    private final ThreadLocal<List<Held>> batch = new ThreadLocal<>();

    /** From now until {@link #endBatch}, this thread's appends are held back until {@link #takeBatch} writes them. */
    public void beginBatch() {
        batch.set(new ArrayList<>());
    }

    /**
     * The write of the appends held back so far, in their order: those already in the feed (a batch delivered again)
     * or twice in the batch are left out; each agency's new entries take a run of numbers with one compare-and-set.
     * Taken from this thread's batch now and made by the runnable on any thread (at once with the batch's other
     * writes) while this thread waits for it; forgotten only once written ({@link RoundTrips#writeHeld}).
     */
    public Runnable takeBatch() {
        return RoundTrips.writeHeld(batch.get(), this::write);
    }

    private void write(List<Held> held) {
        Map<String, Held> byKey = new LinkedHashMap<>();
        held.forEach(append -> byKey.putIfAbsent(append.key(), append));
        Query there = Query.query(Criteria.where("_id").in(byKey.keySet()));
        there.fields().include("_id");
        mongo.find(there, Document.class, mongo.getCollectionName(FeedEntry.class))
                .forEach(entry -> byKey.remove(entry.getString("_id")));
        List<Held> unwritten = new ArrayList<>(byKey.values());
        for (int numbering = 1; !unwritten.isEmpty(); numbering++) {
            if (numbering > NUMBERINGS) {
                throw new IllegalStateException("Feed entries of " + unwritten.size() + " events lost their numbers"
                        + " to readers " + NUMBERINGS + " times in a row");
            }
            unwritten = numberAndInsert(unwritten);
        }
    }

    /**
     * Numbers the appends (a run per agency, listed in flight), inserts them, fills the numbers of those whose event
     * was there already with gaps, and takes the runs off the in-flight lists. Returns the appends whose numbers a
     * reader gave up on meanwhile (filled with gaps before the insert came): to be numbered again. A failed write
     * leaves its runs listed: readers wait for them until their lease runs out, then fill them with gaps (the batch
     * is tried again and numbers its entries anew).
     */
    private List<Held> numberAndInsert(List<Held> appends) {
        Map<String, List<Held>> byAgency = appends.stream()
                .collect(Collectors.groupingBy(Held::agencyId, LinkedHashMap::new, Collectors.toList()));
        Map<String, Reservation> reserved = reserveAll(byAgency);
        Instant now = clock.instant();      // after the numbers: see the class comment
        List<FeedEntry> entries = new ArrayList<>(appends.size());
        List<Held> inOrder = new ArrayList<>(appends.size());
        byAgency.forEach((agencyId, ofAgency) -> {
            long sequence = reserved.get(agencyId).from();
            for (Held append : ofAgency) {
                entries.add(new FeedEntry(append.key(), agencyId, sequence++, append.event().id(),
                        append.event().type(), append.event().subject(), now, append.body()));
                inOrder.add(append);
            }
        });
        BitSet refused = UniqueInserts.insertNew(mongo, FeedEntry.class, entries);
        List<Held> again = new ArrayList<>();
        if (!refused.isEmpty()) {
            List<FeedEntry> notInserted = refused.stream().mapToObj(entries::get).toList();
            Set<String> alreadyThere = inFeed(notInserted);
            List<FeedEntry> gaps = new ArrayList<>();
            for (int i = refused.nextSetBit(0); i >= 0; i = refused.nextSetBit(i + 1)) {
                FeedEntry entry = entries.get(i);
                if (alreadyThere.contains(entry.agencyId() + "/" + entry.eventId())) {
                    // Routed at the same moment elsewhere (or kept before entries were keyed by agency and event):
                    // the other copy holds its place, and a gap this number.
                    gaps.add(FeedEntry.gap(entry.agencyId(), entry.sequence(), now));
                } else {
                    again.add(inOrder.get(i));     // a reader filled its number with a gap: numbered again, after
                }
            }
            UniqueInserts.insertNew(mongo, FeedEntry.class, gaps);
        }
        release(reserved.values());
        return again;
    }

    /** Of these entries, the (agency, event) pairs that are in the feed, as {@code <agency>/<event id>}. */
    private Set<String> inFeed(List<FeedEntry> entries) {
        Query query = Query.query(Criteria.where("agencyId").in(entries.stream().map(FeedEntry::agencyId)
                .collect(Collectors.toSet())).and("eventId").in(entries.stream().map(FeedEntry::eventId).toList()));
        query.fields().include("agencyId").include("eventId");
        Set<String> pairs = new HashSet<>();
        mongo.find(query, Document.class, mongo.getCollectionName(FeedEntry.class))
                .forEach(entry -> pairs.add(entry.getString("agencyId") + "/" + entry.getString("eventId")));
        return pairs;
    }

    /**
     * Leaves out of this thread's batch the appends not written yet that {@code withheld} picks (seen as entries with
     * no place yet), as {@link #remove} does for those written: an event routed earlier in the batch must not reach a
     * feed at the batch's end after what let it there ended later in the same batch.
     */
    public void withholdHeld(java.util.function.Predicate<FeedEntry> withheld) {
        List<Held> held = batch.get();
        if (held != null) {
            held.removeIf(append -> withheld.test(new FeedEntry(append.key(), append.agencyId(), 0,
                    append.event().id(), append.event().type(), append.event().subject(), null, append.body())));
        }
    }

    /**
     * Empties the entries {@code withheld} picks among those of {@code agencyIds}' feeds of {@code eventTypes} about
     * {@code subjects} (read through the agency's index, not the whole collection): each becomes a gap at its number,
     * which readers pass over, and keeps its event's key, so that the event is never appended again.
     *
     * @return how many were removed
     */
    public long remove(java.util.Collection<String> agencyIds, java.util.Collection<String> subjects,
                       java.util.Collection<String> eventTypes, java.util.function.Predicate<FeedEntry> withheld) {
        if (agencyIds.isEmpty()) {
            return 0;
        }
        List<String> ids = mongo.find(Query.query(Criteria.where("agencyId").in(agencyIds).and("subject")
                        .in(subjects).and("eventType").in(eventTypes)), FeedEntry.class).stream().filter(withheld)
                .map(FeedEntry::id).toList();
        // Emptied in place rather than deleted: the entry keeps its number and its (agency, event) key, so it reads
        // as a gap and the same event routed again later (a replayed batch, a dead letter sent again) finds its
        // place taken instead of being numbered anew after the withdrawal.
        return ids.isEmpty() ? 0 : mongo.updateMulti(Query.query(Criteria.where("_id").in(ids)),
                new Update().unset("event").unset("eventType").unset("subject"), FeedEntry.class).getModifiedCount();
    }

    /** Forgets what this thread's batch held back (written or not). */
    public void endBatch() {
        batch.remove();
    }

    /** Appends the event to the agency's feed, unless it is there already (in a batch: when the batch completes). */
    public void append(String agencyId, ReceivedEvent event, String body) {
        List<Held> held = batch.get();
        if (held != null) {
            held.add(new Held(agencyId, event, body));
            return;
        }
        write(List.of(new Held(agencyId, event, body)));
    }

    /**
     * Up to {@code limit} entries after {@code after}, in order: no further than the lowest number still in flight
     * (see the class comment), giving up on the writers whose reservations ran out first.
     *
     * @throws FeedCursorExpired when entries after the cursor have been purged
     */
    Page after(String agencyId, long after, int limit) {
        Document counter = mongo.findById(agencyId, Document.class, COUNTERS);
        long purgedThrough = number(counter, "purgedThrough");
        if (after < purgedThrough) {
            throw new FeedCursorExpired(purgedThrough);
        }
        Instant now = clock.instant();
        long readable = number(counter, "sequence");
        List<Document> expired = new ArrayList<>();
        for (Document reservation : inFlight(counter)) {
            if (((Date) reservation.get("until")).toInstant().isAfter(now)) {
                readable = Math.min(readable, ((Number) reservation.get("from")).longValue() - 1);
            } else {
                expired.add(reservation);
            }
        }
        if (!expired.isEmpty()) {
            giveUpOn(agencyId, expired, now);
        }
        if (readable <= after) {
            return new Page(List.of(), after);
        }
        List<FeedEntry> found = mongo.find(Query.query(Criteria.where("agencyId").is(agencyId)
                .and("sequence").gt(after).lte(readable)).with(Sort.by("sequence")).limit(limit), FeedEntry.class);
        Instant settled = now.minus(SETTLE);
        List<FeedEntry> page = new ArrayList<>();
        long expected = after + 1;
        long next = after;
        for (FeedEntry entry : found) {
            if (entry.sequence() != expected && entry.recordedAt().isAfter(settled)) {
                break;      // a number held by a writer that does not list it (a version before reservations)
            }
            if (!entry.isGap()) {
                page.add(entry);
            }
            next = entry.sequence();
            expected = entry.sequence() + 1;
        }
        return new Page(page, next);
    }

    /**
     * Fills the numbers of reservations that ran out and are still free with gaps, then takes the reservations off
     * the list: from then on their writers' inserts at those numbers are refused (the unique agency and sequence), so
     * a reader may read past them. Any reader may do it; two at once do the same thing twice, harmlessly.
     */
    private void giveUpOn(String agencyId, List<Document> reservations, Instant now) {
        List<FeedEntry> gaps = new ArrayList<>();
        for (Document reservation : reservations) {
            long from = ((Number) reservation.get("from")).longValue();
            long to = ((Number) reservation.get("to")).longValue();
            for (long sequence = from; sequence <= to; sequence++) {
                gaps.add(FeedEntry.gap(agencyId, sequence, now));
            }
        }
        UniqueInserts.insertNew(mongo, FeedEntry.class, gaps);
        BulkOperations off = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, COUNTERS);
        reservations.forEach(reservation -> off.updateOne(Query.query(Criteria.where("_id").is(agencyId)),
                new Update().pull(IN_FLIGHT, new Document("from", reservation.get("from"))
                        .append("until", reservation.get("until")))));
        off.execute();
        log.warn("Feed of agency {}: gave up waiting for {} run(s) of numbers not written within {}; filled with gaps"
                + " (a writer that comes back numbers its entries again)", agencyId, reservations.size(),
                reservationLease);
    }

    private static List<Document> inFlight(Document counter) {
        return counter == null ? List.of() : counter.getList(IN_FLIGHT, Document.class, List.of());
    }

    private static long number(Document counter, String field) {
        Object value = counter == null ? null : counter.get(field);
        return value instanceof Number number ? number.longValue() : 0;
    }

    /** Purges every agency's entries recorded before {@code cutoff}; returns how many were deleted. */
    public long purgeRecordedBefore(Instant cutoff) {
        long deleted = 0;
        for (String agencyId : mongo.findDistinct(Query.query(Criteria.where("recordedAt").lt(cutoff)), "agencyId",
                FeedEntry.class, String.class)) {
            deleted += purgeRecordedBefore(agencyId, cutoff);
        }
        return deleted;
    }

    /**
     * Purges one agency's entries up to the newest one recorded before {@code cutoff} (by sequence, so the feed
     * never has a hole in the middle); the watermark is raised first, so a reader is never silently skipped.
     */
    public long purgeRecordedBefore(String agencyId, Instant cutoff) {
        FeedEntry newestExpired = mongo.findOne(Query.query(Criteria.where("agencyId").is(agencyId)
                .and("recordedAt").lt(cutoff)).with(Sort.by(Sort.Direction.DESC, "sequence")).limit(1),
                FeedEntry.class);
        if (newestExpired == null) {
            return 0;
        }
        mongo.upsert(Query.query(Criteria.where("_id").is(agencyId)),
                new Update().max("purgedThrough", newestExpired.sequence()), COUNTERS);
        return mongo.remove(Query.query(Criteria.where("agencyId").is(agencyId).and("sequence")
                .lte(newestExpired.sequence())), FeedEntry.class).getDeletedCount();
    }

    /** The last sequence purged from the agency's feed (0: none); the oldest cursor that can still be read from. */
    long purgedThrough(String agencyId) {
        return number(mongo.findById(agencyId, Document.class, COUNTERS), "purgedThrough");
    }

    /**
     * Each agency's run of numbers for a batch's appends, listed in flight: by agency, its reservation. Each agency's
     * is its own document's atomic write, so they need no order among themselves: they go at once, at most
     * {@link #SEQUENCES_AT_ONCE} together, and a batch for many agencies waits about one round trip instead of one per
     * agency (a backlog of events for 40 agencies spent half its time waiting on them, one after another). A failed
     * one fails the batch, which is delivered again: the runs the others took are given up on when they run out.
     */
    private Map<String, Reservation> reserveAll(Map<String, List<Held>> byAgency) {
        Map<String, Reservation> reserved = new LinkedHashMap<>();
        if (byAgency.size() == 1) {
            byAgency.forEach((agencyId, appends) -> reserved.put(agencyId, reserve(agencyId, appends.size())));
            return reserved;
        }
        // The batch's trace context goes along, so each reservation is a span of the batch as it was when taken.
        ContextSnapshot context = CONTEXT.captureAll();
        Map<String, Future<Reservation>> taking = new LinkedHashMap<>();
        byAgency.forEach((agencyId, appends) -> taking.put(agencyId,
                sequences.submit(context.wrap(() -> reserve(agencyId, appends.size())))));
        RuntimeException failed = null;
        for (Map.Entry<String, Future<Reservation>> taken : taking.entrySet()) {
            try {
                reserved.put(taken.getKey(), taken.getValue().get());
            } catch (ExecutionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException runtime ? runtime
                        : new IllegalStateException("Could not number an agency's feed entries", e.getCause());
                if (failed == null) {
                    failed = cause;
                } else {
                    failed.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while numbering feed entries", e);
            }
        }
        if (failed != null) {
            // The batch fails and is delivered again: the numbers taken for the other agencies would hold their
            // readers back until their lease ran out, so they become gaps now (nothing was written under them).
            try {
                Instant now = clock.instant();
                List<FeedEntry> gaps = new ArrayList<>();
                reserved.values().forEach(run -> {
                    for (long sequence = run.from(); sequence <= run.to(); sequence++) {
                        gaps.add(FeedEntry.gap(run.agencyId(), sequence, now));
                    }
                });
                UniqueInserts.insertNew(mongo, FeedEntry.class, gaps);
                release(reserved.values());
            } catch (RuntimeException alsoFailed) {
                failed.addSuppressed(alsoFailed); // then their lease runs out, as for a writer that stopped
            }
            throw failed;
        }
        return reserved;
    }

    @Override
    public void destroy() {
        sequences.shutdownNow();
    }

    /**
     * Takes the agency's next {@code count} numbers and lists them in flight, in one write of its counter: a
     * compare-and-set on the counter's {@code sequence} (guessed from what this instance last took; read when the
     * guess was wrong), since the run to list depends on the value the numbers start from.
     */
    private Reservation reserve(String agencyId, int count) {
        Long seen = lastTaken.get(agencyId);
        for (int attempt = 0; attempt < RESERVE_ATTEMPTS; attempt++) {
            long last = seen != null ? seen : number(mongo.findById(agencyId, Document.class, COUNTERS), "sequence");
            Reservation reservation = new Reservation(agencyId, last + 1, last + count,
                    clock.instant().plus(reservationLease));
            Criteria at = last == 0
                    ? new Criteria().orOperator(Criteria.where("sequence").exists(false),
                            Criteria.where("sequence").is(0L))
                    : Criteria.where("sequence").is(last);
            Update take = new Update().set("sequence", reservation.to()).push(IN_FLIGHT, new Document("from",
                    reservation.from()).append("to", reservation.to()).append("until", Date.from(reservation.until())));
            try {
                UpdateResult taken = mongo.upsert(Query.query(new Criteria().andOperator(
                        Criteria.where("_id").is(agencyId), at)), take, COUNTERS);
                if (taken.getMatchedCount() > 0 || taken.getUpsertedId() != null) {
                    lastTaken.merge(agencyId, reservation.to(), Math::max);
                    return reservation;
                }
            } catch (DuplicateKeyException numberedMeanwhile) {
                // another writer moved the counter on (the upsert found no counter at that number and made one)
            }
            seen = null;
        }
        throw new IllegalStateException("Could not take feed numbers for agency " + agencyId + " in "
                + RESERVE_ATTEMPTS + " attempts");
    }

    /** Takes the runs off their agencies' in-flight lists: one write for all. */
    private void release(Collection<Reservation> reservations) {
        if (reservations.isEmpty()) {
            return;
        }
        BulkOperations off = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, COUNTERS);
        reservations.forEach(reservation -> off.updateOne(Query.query(Criteria.where("_id")
                .is(reservation.agencyId())), new Update().pull(IN_FLIGHT, new Document("from", reservation.from()))));
        off.execute();
    }
}
