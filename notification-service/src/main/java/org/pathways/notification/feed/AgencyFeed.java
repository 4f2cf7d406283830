package org.pathways.notification.feed;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;

import org.bson.Document;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.inbox.RoundTrips;
import org.pathways.messaging.store.UniqueInserts;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.MongoPersistentEntityIndexResolver;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Each agency's replayable feed of the events that concern it, in one order per agency: a counter document per agency
 * hands out sequence numbers with {@code $inc}, so a reader that remembers the last sequence it saw (its cursor) gets
 * everything after it, nothing missed and nothing twice.
 *
 * <p>Two events routed to the same agency at the same moment (from two partitions) take their numbers and then insert;
 * for a few milliseconds the later number may be visible before the earlier one. A reader therefore stops at a gap
 * in the numbers unless the entry after it has settled ({@link #SETTLE}): a number taken by a write that never
 * happened (a crash, or a duplicate that lost the race) is a permanent gap that is skipped once it is old.
 *
 * <p>Entries older than the retention are purged, oldest first by sequence; the agency's counter document keeps the
 * last purged sequence ({@code purgedThrough}, raised before the entries go), so a cursor before it is refused as
 * expired rather than silently skipping what was purged.
 *
 * <p>A batch consumer holds its appends back ({@link #beginBatch}) and writes those of the whole batch at once
 * ({@link #takeBatch}): one read by {@code _id} for the entries already there (an entry's id is its agency and
 * event), one {@code $inc} per agency for a run of sequence numbers, in the batch's order (the agencies' at once), and
 * one bulk insert.
 */
@Component
public class AgencyFeed implements InitializingBean, DisposableBean {

    static final Duration SETTLE = Duration.ofSeconds(5);
    private static final String COUNTERS = "feed_counters";

    /** How many agencies' {@code $inc}s of one batch go to the store at once (see {@link #takeSequences}). */
    static final int SEQUENCES_AT_ONCE = 8;
    private static final ContextSnapshotFactory CONTEXT = ContextSnapshotFactory.builder().build();

    private final MongoTemplate mongo;
    private final Clock clock;
    private final ExecutorService sequences = Executors.newFixedThreadPool(SEQUENCES_AT_ONCE,
            Thread.ofPlatform().name("feed-sequences-", 1).daemon().factory());

    AgencyFeed(MongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
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

    /** The appends this thread's batch holds back, in order; none outside a batch. */
    private final ThreadLocal<List<Held>> batch = new ThreadLocal<>();

    /** From now until {@link #endBatch}, this thread's appends are held back until {@link #takeBatch} writes them. */
    public void beginBatch() {
        batch.set(new ArrayList<>());
    }

    /**
     * The write of the appends held back so far, in their order: those already in the feed (a batch delivered again)
     * or twice in the batch are left out; each agency's new entries take a run of numbers with one {@code $inc}. Taken
     * from this thread's batch now and made by the runnable on any thread (at once with the batch's other writes)
     * while this thread waits for it; forgotten only once written ({@link RoundTrips#writeHeld}).
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
        if (byKey.isEmpty()) {
            return;
        }
        Map<String, List<Held>> byAgency = byKey.values().stream()
                .collect(Collectors.groupingBy(Held::agencyId, LinkedHashMap::new, Collectors.toList()));
        Instant now = clock.instant();
        Map<String, Long> lastTaken = takeSequences(byAgency);
        List<FeedEntry> entries = new ArrayList<>(byKey.size());
        byAgency.forEach((agencyId, appends) -> {
            long sequence = lastTaken.get(agencyId) - appends.size();
            for (Held append : appends) {
                sequence++;
                entries.add(new FeedEntry(append.key(), agencyId, sequence, append.event().id(),
                        append.event().type(), append.event().subject(), now, append.body()));
            }
        });
        // Routed at the same moment elsewhere (or kept before entries were keyed by agency and event): the other copy
        // holds its place, this number stays a gap.
        UniqueInserts.insertNew(mongo, FeedEntry.class, entries);
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
     * Removes the entries {@code withheld} picks among those of {@code agencyIds}' feeds of {@code eventTypes} about
     * {@code subjects} (read through the agency's index, not the whole collection): their
     * numbers become gaps, which readers pass over as they pass over a number whose write never happened.
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
        return ids.isEmpty() ? 0 : mongo.remove(Query.query(Criteria.where("_id").in(ids)), FeedEntry.class)
                .getDeletedCount();
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
        if (mongo.exists(Query.query(Criteria.where("agencyId").is(agencyId).and("eventId").is(event.id())),
                FeedEntry.class)) {
            return;
        }
        long sequence = nextSequence(agencyId, 1);
        try {
            mongo.insert(new FeedEntry(FeedEntry.idOf(agencyId, event.id()), agencyId, sequence, event.id(), event.type(),
                    event.subject(), clock.instant(), body));
        } catch (DuplicateKeyException alreadyThere) {
            // Routed twice at once: the other copy holds its place, this number stays a gap.
        }
    }

    /**
     * Up to {@code limit} entries after {@code after}, in order, stopping at a gap that has not settled.
     *
     * @throws FeedCursorExpired when entries after the cursor have been purged
     */
    List<FeedEntry> after(String agencyId, long after, int limit) {
        long purgedThrough = purgedThrough(agencyId);
        if (after < purgedThrough) {
            throw new FeedCursorExpired(purgedThrough);
        }
        List<FeedEntry> found = mongo.find(Query.query(Criteria.where("agencyId").is(agencyId)
                .and("sequence").gt(after)).with(Sort.by("sequence")).limit(limit), FeedEntry.class);
        Instant settled = clock.instant().minus(SETTLE);
        List<FeedEntry> page = new ArrayList<>();
        long expected = after + 1;
        for (FeedEntry entry : found) {
            if (entry.sequence() != expected && entry.recordedAt().isAfter(settled)) {
                break;
            }
            page.add(entry);
            expected = entry.sequence() + 1;
        }
        return page;
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
        Document counter = mongo.findById(agencyId, Document.class, COUNTERS);
        Object purged = counter == null ? null : counter.get("purgedThrough");
        return purged instanceof Number number ? number.longValue() : 0;
    }

    /** Takes {@code count} numbers of the agency's feed; returns the last of them. */
    /**
     * Each agency's run of numbers for a batch's appends: by agency, the last number of its run. Each agency's
     * {@code $inc} is its own document's atomic operation, so they need no order among themselves: they go at once,
     * at most {@link #SEQUENCES_AT_ONCE} together, and a batch for many agencies waits about one round trip instead
     * of one per agency (a backlog of events for 40 agencies spent half its time waiting on them, one after another).
     * A failed one fails the batch, which is delivered again: the numbers the others took stay gaps.
     */
    private Map<String, Long> takeSequences(Map<String, List<Held>> byAgency) {
        Map<String, Long> lastTaken = new LinkedHashMap<>();
        if (byAgency.size() == 1) {
            byAgency.forEach((agencyId, appends) -> lastTaken.put(agencyId, nextSequence(agencyId, appends.size())));
            return lastTaken;
        }
        // The batch's trace context goes along, so each $inc is a span of the batch as it was when taken in turn.
        ContextSnapshot context = CONTEXT.captureAll();
        Map<String, Future<Long>> taking = new LinkedHashMap<>();
        byAgency.forEach((agencyId, appends) -> taking.put(agencyId,
                sequences.submit(context.wrap(() -> nextSequence(agencyId, appends.size())))));
        RuntimeException failed = null;
        for (Map.Entry<String, Future<Long>> taken : taking.entrySet()) {
            try {
                lastTaken.put(taken.getKey(), taken.getValue().get());
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
            throw failed;
        }
        return lastTaken;
    }

    @Override
    public void destroy() {
        sequences.shutdownNow();
    }

    private long nextSequence(String agencyId, int count) {
        Document counter = mongo.findAndModify(Query.query(Criteria.where("_id").is(agencyId)),
                new Update().inc("sequence", (long) count),
                FindAndModifyOptions.options().upsert(true).returnNew(true), Document.class, COUNTERS);
        return ((Number) counter.get("sequence")).longValue();
    }
}
