package org.pathways.catalogue.places;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import org.pathways.catalogue.opportunity.Change;
import org.pathways.catalogue.places.PlaceHolding.Step;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunitiesChanged;
import org.pathways.catalogue.opportunity.OpportunityChanged;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.opportunity.OpportunityPlacesChanged;
import org.pathways.messaging.inbox.BatchScope;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.outbox.Outbox;
import org.bson.Document;
import org.pathways.platform.validation.ResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.BulkOperationException;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.messaging.Message;
import tools.jackson.databind.JsonNode;

/**
 * Places taken follow the referral lifecycle: a referral accepted (or started) takes a place on its opportunity; one
 * that ends (completed, cancelled, failed, or rejected) no longer occupies it. Events are matched by type string and
 * read generically (referralId, opportunityId), so this depends on the referral events' shape, not on their classes.
 *
 * <p>Which referral holds a place, and which has ended, is kept one document per referral and opportunity
 * ({@link PlaceHolding}, by {@code _id}), so a redelivered or repeated event (accepted then started) changes nothing,
 * and neither does one arriving out of order (an accepted after the referral's completion); the inbox skips exact
 * redeliveries before that. The opportunity keeps only the count, so its document, and the cost of each event, do not
 * grow with the referrals it has seen. Without transactions the two documents are written one after the other, in an
 * order that a handling interrupted anywhere and repeated (the event is redelivered) finishes without counting twice:
 * the holding is marked as changing, the opportunity counts the change and remembers it, the holding is marked
 * settled, the opportunity forgets the change. Each real change is published as {@link OpportunityPlacesChanged}.
 *
 * <p>In a batch the forgetting rides on the opportunity's next save (see {@link #batchScope()}), so that each
 * opportunity a batch changes is saved once.
 */
@Configuration
public class PlacesFromReferrals implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(PlacesFromReferrals.class);
    static final String HANDLER = "referral-places";
    private static final Map<String, Boolean> TAKES_A_PLACE = Map.of(
            EventType.REFERRAL_ACCEPTED.type(), true,
            EventType.REFERRAL_STARTED.type(), true,
            EventType.REFERRAL_COMPLETED.type(), false,
            EventType.REFERRAL_CANCELLED.type(), false,
            EventType.REFERRAL_FAILED.type(), false,
            EventType.REFERRAL_REJECTED.type(), false);
    private static final int ATTEMPTS = 5;

    private final MongoTemplate mongo;
    private final PlaceHoldings holdings;
    private final Outbox outbox;
    private final Clock clock;
    private final ApplicationEventPublisher changes;
    /** Locks by stripe of opportunity ids: this instance's consumer threads save an opportunity in turn. */
    private final Object[] stripes = java.util.stream.Stream.generate(Object::new).limit(64).toArray();
    /** Each opportunity as saved here lately (a hint, to start the next save from it instead of reading it). */
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    private static final int SNAPSHOTS_KEPT = 10_000;
    /**
     * By opportunity: the changes it counted and still remembers whose holdings this instance has settled since, so
     * that its next save forgets them (each set is touched only under the opportunity's stripe lock).
     */
    private final Map<String, Set<String>> settledChanges = new ConcurrentHashMap<>();
    /** How long an opportunity goes unsaved before the changes settled on it are forgotten in a save of their own. */
    static final Duration QUIET = Duration.ofMillis(500);
    private final ScheduledExecutorService forgetting = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "places-forget");
        thread.setDaemon(true);
        return thread;
    });
    /** The batch being consumed on this thread, if any. */
    private final ThreadLocal<PlaceBatch> batches = new ThreadLocal<>();

    PlacesFromReferrals(MongoTemplate mongo, PlaceHoldings holdings,
                        Outbox outbox, Clock clock, ApplicationEventPublisher changes) {
        this.mongo = mongo;
        this.holdings = holdings;
        this.outbox = outbox;
        this.clock = clock;
        this.changes = changes;
        forgetting.scheduleWithFixedDelay(this::forgetSettledWhenQuiet, QUIET.toMillis(), QUIET.toMillis() / 2,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        forgetting.shutdownNow();
    }

    /** An opportunity, with at most how many events wait in its outbox at its version (null: not known). */
    private record Known(Opportunity opportunity, Integer waitingAtMost) {
    }

    /**
     * An opportunity as this instance last saved it: its stored fields, the bound of its waiting events, and how
     * many events each of the saves that made its last versions added (the last first; all this instance's).
     */
    private record Snapshot(Document fields, long version, Integer waitingAtMost, long savedAt, List<Integer> added) {

        static final int HISTORY = 64;

        /**
         * The bound of the waiting events at this version, tightened by {@code read}, an earlier version with its own
         * bound: this instance's saves since added the rest (the relay only removes). Without it the bound would only
         * grow while the threads take turns from snapshots, and past the outbox's limit every save would read again.
         */
        Integer waitingAtMost(Known read) {
            long since = version - read.opportunity().version();
            if (read.waitingAtMost() == null || since > added.size()) {
                return waitingAtMost;
            }
            int bound = read.waitingAtMost() + added.subList(0, (int) since).stream().mapToInt(Integer::intValue).sum();
            return waitingAtMost == null ? bound : Math.min(bound, waitingAtMost);
        }
    }

    @Bean
    Consumer<Message<List<byte[]>>> referralEvents(EventInbox inbox) {
        // Only the events that take or end a place: a batch of submissions (most of a busy hour's referral events)
        // costs no round trip to the store (the inbox passes them over).
        return inbox.batchConsumer(HANDLER, event -> TAKES_A_PLACE.containsKey(event.type()), this::onReferralEvent,
                batchScope());
    }

    /** The part of a referral event read here: which referral, on which opportunity, takes or ends a place. */
    private record PlaceStep(String referralId, String opportunityId, boolean takes) {

        String holdingId() {
            return PlaceHolding.id(opportunityId, referralId);
        }
    }

    private static PlaceStep step(ReceivedEvent event, boolean takes) {
        JsonNode data = event.data(JsonNode.class);
        String referralId = text(data, "referralId").orElse(event.subject());
        String opportunityId = text(data, "opportunityId")
                .orElseThrow(() -> new MalformedEventException("Event " + event.id() + " names no opportunity"));
        return new PlaceStep(referralId, opportunityId, takes);
    }

    void onReferralEvent(ReceivedEvent event) {
        Boolean takes = TAKES_A_PLACE.get(event.type());
        if (takes == null) {
            return;
        }
        PlaceBatch batch = batches.get();
        if (batch != null) {
            batch.apply(batch.step(event, takes));
            return;
        }
        PlaceStep step = step(event, takes);
        String referralId = step.referralId();
        String opportunityId = step.opportunityId();
        Optional<Known> found = read(opportunityId);
        if (found.isEmpty()) {
            log.debug("Referral event {} is for opportunity {}, unknown here; ignored", event.id(), opportunityId);
            return;
        }
        Known opportunity = found.get();
        if (opportunity.opportunity().status() == OpportunityStatus.DRAFT) {
            // Nobody can be referred to a draft: whatever this is, it holds no place.
            log.debug("Referral event {} is for opportunity {}, still a draft; ignored", event.id(), opportunityId);
            return;
        }
        Instant now = clock.instant();
        String holdingId = PlaceHolding.id(opportunityId, referralId);
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Step first = takes ? Step.TAKING : Step.ENDED;
            PlaceHolding fresh = new PlaceHolding(holdingId, opportunityId, referralId, first, now);
            if (holdings.insert(fresh)) {
                // A first take is counted; a first end held no place: remembered, so a late take changes nothing.
                if (takes) {
                    settle(fresh, opportunity, now);
                }
                return;
            }
            PlaceHolding holding = holdings.find(holdingId).orElseThrow();
            if (!holding.step().settled()) {
                // An earlier handling stopped half way: finish it first.
                opportunity = settle(holding, opportunity, now);
                if (takes || holding.step() == Step.RELEASING) {
                    return;
                }
                continue;
            }
            if (takes || holding.step() == Step.ENDED) {
                return;         // holds a place already, or ended: a take or a repeated end changes nothing
            }
            PlaceHolding releasing = holding.at(Step.RELEASING, now);
            if (holdings.move(holding, Step.RELEASING, now)) {
                settle(releasing, opportunity, now);
                return;
            }
        }
        throw new IllegalStateException("The place of referral event " + event.id() + " kept changing under it");
    }

    /**
     * Counts the unsettled change of {@code holding} on its opportunity (once: the opportunity remembers it until
     * the holding is settled), settles the holding, then lets the opportunity forget the change.
     */
    private Known settle(PlaceHolding holding, Known read, Instant now) {
        String changeId = holding.changeId();
        Consumer<String> announce = id -> changes.publishEvent(new OpportunityChanged(id));
        Known opportunity = saved(read, current -> holding.step() == Step.TAKING
                ? current.takePlace(holding.referralId(), changeId, now)
                : current.releasePlace(holding.referralId(), changeId, now), announce);
        holdings.move(holding, holding.step().next(), now);
        return saved(opportunity, current -> current.forgetPlaceChange(changeId), announce);
    }

    /** The opportunity as stored, with how many events wait in its outbox, in one read by {@code _id}. */
    private Optional<Known> read(String opportunityId) {
        Document stored = mongo.findById(opportunityId, Document.class, mongo.getCollectionName(Opportunity.class));
        return Optional.ofNullable(stored).map(this::known);
    }

    private Known known(Document stored) {
        return new Known(mongo.getConverter().read(Opportunity.class, stored), Outbox.waiting(stored));
    }

    /**
     * Saves what {@code command} changes through the outbox (re-reading and trying again when the opportunity changed
     * meanwhile), forgetting in the same save the changes whose holdings were settled since they were counted; a
     * change with events is told to {@code changed} (the search index follows it).
     *
     * <p>The consumer's threads (one per partition) take the events of one opportunity from every partition, since
     * referral events are keyed by referral: in this instance they save an opportunity in turn (a lock per stripe of
     * opportunity ids) and start from the newest version saved here, taken from what that save wrote rather than read
     * again. Without the turns, each save raced the other threads' and a lost race cost a re-read, a read of the
     * waiting events and a failed write, sometimes repeatedly (12 of 21 writes lost in one run of PlacesBatchTest;
     * 1.9 round trips per event in others, against 0.5). Other writers (the API, other instances) are still caught by
     * the version guard. The room in the outbox is checked against the waiting events counted when the opportunity
     * was read, plus those this instance added since (an upper bound: the relay only removes), without reading them
     * again.
     */
    private Known saved(Known read, Function<Opportunity, Change<OpportunityPlacesChanged>> command,
                        Consumer<String> changed) {
        String id = read.opportunity().id();
        Opportunity current = read.opportunity();
        Integer waiting = read.waitingAtMost();
        boolean announce = false;
        synchronized (stripe(id)) {
            Snapshot newest = snapshots.get(id);
            if (newest != null && current.version() != null && newest.version() > current.version()) {
                current = mongo.getConverter().read(Opportunity.class, newest.fields());
                waiting = newest.waitingAtMost(read);
            }
            for (int attempt = 1; ; attempt++) {
                Change<OpportunityPlacesChanged> change = command.apply(current);
                Set<String> settled = settledChanges.getOrDefault(id, Set.of());
                List<String> forgetting = List.copyOf(settled);
                boolean forgot = false;
                for (String changeId : forgetting) {
                    forgot |= current.forgetPlaceChange(changeId).changed();
                }
                if (!change.changed() && !forgot) {
                    forgetting.forEach(settled::remove);   // none of them is remembered any longer
                    if (settled.isEmpty()) {
                        settledChanges.remove(id, settled);
                    }
                    break;
                }
                try {
                    List<OpportunityPlacesChanged> events = change.events();
                    long from = current.version();
                    current = waiting == null ? outbox.save(current, events) : outbox.save(current, events, waiting);
                    waiting = waiting == null ? null : waiting + events.size();
                    announce |= !events.isEmpty();
                    forgetting.forEach(settled::remove);
                    if (settled.isEmpty()) {
                        settledChanges.remove(id, settled);
                    }
                    remember(current, waiting, from, events.size());
                    break;
                } catch (OptimisticLockingFailureException concurrentEdit) {
                    if (attempt == ATTEMPTS) {
                        throw concurrentEdit;
                    }
                    Known again = read(id).orElseThrow(() -> concurrentEdit);
                    current = again.opportunity();
                    waiting = again.waitingAtMost();
                }
            }
        }
        if (announce) {
            changed.accept(id);
        }
        return new Known(current, waiting);
    }

    /**
     * Keeps what was just saved (from version {@code from}, adding {@code added} events), for the next save of the
     * opportunity on any of this instance's threads (under its stripe lock).
     */
    private void remember(Opportunity saved, Integer waiting, long from, int added) {
        if (snapshots.size() >= SNAPSHOTS_KEPT) {
            snapshots.clear();  // a hint only: forgetting it costs a read, not a wrong count
        }
        Document fields = new Document();
        mongo.getConverter().write(saved, fields);
        Snapshot before = snapshots.get(saved.id());
        List<Integer> history = new ArrayList<>(Snapshot.HISTORY);
        history.add(added);
        if (before != null && before.version() == from) {
            // The versions before this one were this instance's too: their additions still count.
            history.addAll(before.added().subList(0, Math.min(before.added().size(), Snapshot.HISTORY - 1)));
        }
        snapshots.put(saved.id(), new Snapshot(fields, saved.version(), waiting, System.nanoTime(),
                List.copyOf(history)));
    }

    /** Notes that the holdings of {@code changeIds} are settled: the opportunity's next save forgets them. */
    private void settled(String opportunityId, List<String> changeIds) {
        synchronized (stripe(opportunityId)) {
            settledChanges.computeIfAbsent(opportunityId, id -> new LinkedHashSet<>()).addAll(changeIds);
        }
    }

    /**
     * Forgets, in a save of their own, the settled changes of opportunities no batch has saved for {@link #QUIET}
     * (under a backlog the next batch's save forgets them; after it, this does, once per opportunity). What fails is
     * tried again at the next turn; a change that stays remembered only takes room in the document.
     */
    void forgetSettledWhenQuiet() {
        long quietSince = System.nanoTime() - QUIET.toNanos();
        Set<String> saved = new LinkedHashSet<>();
        for (String id : List.copyOf(settledChanges.keySet())) {
            try {
                synchronized (stripe(id)) {
                    Snapshot newest = snapshots.get(id);
                    if (!settledChanges.containsKey(id) || newest != null && newest.savedAt() > quietSince) {
                        continue;
                    }
                    Optional<Known> known = newest != null
                            ? Optional.of(new Known(mongo.getConverter().read(Opportunity.class, newest.fields()),
                                    newest.waitingAtMost()))
                            : read(id);
                    if (known.isEmpty()) {
                        settledChanges.remove(id);
                        continue;
                    }
                    Long before = known.get().opportunity().version();
                    Known after = saved(known.get(), opportunity -> new Change<>(false, List.of()), ignored -> { });
                    if (!java.util.Objects.equals(before, after.opportunity().version())) {
                        saved.add(id);
                    }
                }
            } catch (RuntimeException failure) {
                log.debug("Forgetting the settled place changes of opportunity {} failed; tried again later", id,
                        failure);
            }
        }
        if (!saved.isEmpty()) {
            // The search index follows the new versions too, so that its reconciliation finds nothing to do.
            changes.publishEvent(new OpportunitiesChanged(saved));
        }
    }

    private Object stripe(String opportunityId) {
        return stripes[Math.floorMod(opportunityId.hashCode(), stripes.length)];
    }

    /**
     * What a batch of referral events does around its events. Before: the opportunities and the place holdings its
     * events name read with one {@code $in} by {@code _id} each (a holding left half way by an interrupted handling
     * is finished first, as one at a time). Each event is then decided in memory, in order, by the same rules as one
     * at a time, and the batch's changes are written at its end in the same crash-safe order, merged: the holdings
     * marked as changing (one bulk write), each opportunity counting all its changes and remembering them in one
     * save through the outbox (one {@code opportunity.places-changed} per change, in order), the holdings marked
     * settled (one bulk write). The opportunity forgets those changes in its next save, by whichever thread or batch
     * (or, once it has gone {@link #QUIET}, in a save of their own): remembering a settled change a little longer
     * only takes room, since a settled holding never offers it again. A referral whose place changes twice in a batch
     * (taken, then ended) starts a second such round at that event, so each holding has at most one unsettled change
     * at a time and the announcements keep the events' order.
     */
    BatchScope batchScope() {
        return new BatchScope() {
            @Override
            public void begin(List<ReceivedEvent> events) {
                PlaceBatch batch = new PlaceBatch(clock.instant());
                batches.set(batch);
                batch.readAhead(events);
            }

            @Override
            public void complete() {
                PlaceBatch batch = batches.get();
                if (batch != null) {
                    try {
                        batch.write();
                    } finally {
                        batch.announce();   // what was written, even when the rest failed
                    }
                }
            }

            @Override
            public void close() {
                batches.remove();
            }
        };
    }

    /** A change of a place counted on its opportunity: the holding as it is marked while the change is under way. */
    private record Counted(PlaceHolding changing, boolean inserted) {
    }

    /** The changes of one round: at most one per holding. */
    private static final class Round {
        final Map<String, Counted> counted = new LinkedHashMap<>();
        final List<PlaceHolding> endedFirst = new ArrayList<>();

        boolean touches(String holdingId) {
            return counted.containsKey(holdingId)
                    || endedFirst.stream().anyMatch(holding -> holding.id().equals(holdingId));
        }

        boolean isEmpty() {
            return counted.isEmpty() && endedFirst.isEmpty();
        }
    }

    /** The opportunities and holdings of one batch, as its events leave them, and the rounds of writes pending. */
    private final class PlaceBatch {

        private final Instant now;
        /** Each event's step, read once (by event id). */
        private final Map<String, PlaceStep> steps = new HashMap<>();
        private final Map<String, Optional<Known>> opportunityById = new HashMap<>();
        /** The settled step of each holding the batch knows (absent: none yet). */
        private final Map<String, Optional<PlaceHolding>> holdingById = new HashMap<>();
        private final List<Round> rounds = new ArrayList<>(List.of(new Round()));
        /** The opportunities whose places changed, for the search index to follow at the end of the batch, at once. */
        private final Set<String> changed = new LinkedHashSet<>();

        PlaceBatch(Instant now) {
            this.now = now;
        }

        /** The event's step, as read ahead (read now if it was unreadable then: it fails again, for the inbox). */
        PlaceStep step(ReceivedEvent event, boolean takes) {
            PlaceStep known = steps.get(event.id());
            return known != null ? known : PlacesFromReferrals.step(event, takes);
        }

        void readAhead(List<ReceivedEvent> events) {
            for (ReceivedEvent event : events) {
                Boolean takes = TAKES_A_PLACE.get(event.type());
                if (takes != null) {
                    try {
                        steps.put(event.id(), PlacesFromReferrals.step(event, takes));
                    } catch (RuntimeException unreadable) {
                        // reported when the event is handled
                    }
                }
            }
            readOpportunities(steps.values().stream().map(PlaceStep::opportunityId).toList());
            readHoldings(steps.values().stream()
                    .filter(step -> opportunityById.get(step.opportunityId()).isPresent())
                    .map(PlaceStep::holdingId).toList());
        }

        private void readOpportunities(List<String> ids) {
            List<String> wanted = ids.stream().filter(id -> !opportunityById.containsKey(id)).distinct().toList();
            if (wanted.isEmpty()) {
                return;
            }
            wanted.forEach(id -> opportunityById.put(id, Optional.empty()));
            // Read whole, so that the events waiting in each outbox are counted in the same read.
            mongo.find(Query.query(Criteria.where("_id").in(wanted)), Document.class,
                            mongo.getCollectionName(Opportunity.class))
                    .forEach(stored -> opportunityById.put(stored.getString("_id"), Optional.of(known(stored))));
        }

        private void readHoldings(List<String> ids) {
            List<String> wanted = ids.stream().filter(id -> !holdingById.containsKey(id)).distinct().toList();
            if (wanted.isEmpty()) {
                return;
            }
            wanted.forEach(id -> holdingById.put(id, Optional.empty()));
            for (PlaceHolding holding : mongo.find(Query.query(Criteria.where("_id").in(wanted)),
                    PlaceHolding.class)) {
                if (!holding.step().settled()) {
                    // An earlier handling stopped half way (a crash): finish it first, as one at a time would.
                    Known opportunity = opportunityById.get(holding.opportunityId()).orElseThrow();
                    opportunityById.put(holding.opportunityId(), Optional.of(settle(holding, opportunity, now)));
                    holding = holding.at(holding.step().next(), now);
                }
                holdingById.put(holding.id(), Optional.of(holding));
            }
        }

        void apply(PlaceStep step) {
            readOpportunities(List.of(step.opportunityId()));
            Optional<Known> opportunity = opportunityById.get(step.opportunityId());
            if (opportunity.isEmpty() || opportunity.get().opportunity().status() == OpportunityStatus.DRAFT) {
                log.debug("A referral event is for opportunity {}, unknown here or a draft; ignored",
                        step.opportunityId());
                return;
            }
            String holdingId = step.holdingId();
            readHoldings(List.of(holdingId));
            Optional<PlaceHolding> holding = holdingById.get(holdingId);
            Round round = rounds.getLast();
            if (round.touches(holdingId)) {
                round = new Round();
                rounds.add(round);
            }
            if (holding.isEmpty()) {
                PlaceHolding first = new PlaceHolding(holdingId, step.opportunityId(), step.referralId(),
                        step.takes() ? Step.TAKING : Step.ENDED, now);
                if (step.takes()) {
                    round.counted.put(holdingId, new Counted(first, true));
                    holdingById.put(holdingId, Optional.of(first.at(Step.HOLDING, now)));
                } else {
                    // A first end held no place: remembered, so a late take changes nothing.
                    round.endedFirst.add(first);
                    holdingById.put(holdingId, Optional.of(first));
                }
            } else if (!step.takes() && holding.get().step() == Step.HOLDING) {
                round.counted.put(holdingId, new Counted(holding.get().at(Step.RELEASING, now), false));
                holdingById.put(holdingId, Optional.of(holding.get().at(Step.ENDED, now)));
            }
            // Otherwise: holds a place already, or ended: a take or a repeated end changes nothing.
        }

        void write() {
            for (Round round : rounds) {
                if (!round.isEmpty()) {
                    write(round);
                }
            }
            rounds.clear();
            rounds.add(new Round());
        }

        /** Tells the search index (and any other listener) which opportunities the batch changed, in one event. */
        void announce() {
            if (!changed.isEmpty()) {
                changes.publishEvent(new OpportunitiesChanged(changed));
                changed.clear();
            }
        }

        private void write(Round round) {
            // 1. The holdings marked as changing (a first end: ended at once), in one bulk write.
            BulkOperations marks = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, PlaceHolding.class);
            int moves = 0;
            for (Counted counted : round.counted.values()) {
                if (counted.inserted()) {
                    marks.insert(counted.changing());
                } else {
                    marks.updateOne(seen(counted.changing().id(), Step.HOLDING),
                            new Update().set("step", counted.changing().step()).set("at", now));
                    moves++;
                }
            }
            round.endedFirst.forEach(marks::insert);
            expect(marks, moves);
            // 2. Each opportunity counts its changes (in the events' order) and remembers them, in one save; the
            // changes settled before (the round before, earlier batches) are forgotten in the same save.
            Map<String, List<Counted>> byOpportunity = new LinkedHashMap<>();
            round.counted.values().forEach(counted -> byOpportunity.computeIfAbsent(
                    counted.changing().opportunityId(), id -> new ArrayList<>()).add(counted));
            byOpportunity.forEach((opportunityId, counted) -> remember(opportunityId, saved(current(opportunityId),
                    opportunity -> counting(opportunity, counted), changed::add)));
            // 3. The holdings marked settled, in one bulk write; their changes are forgotten by the next save.
            if (!round.counted.isEmpty()) {
                BulkOperations settled = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, PlaceHolding.class);
                round.counted.values().forEach(counted -> settled.updateOne(
                        seen(counted.changing().id(), counted.changing().step()),
                        new Update().set("step", counted.changing().step().next()).set("at", now)));
                settled.execute();
                byOpportunity.forEach((opportunityId, counted) -> PlacesFromReferrals.this.settled(opportunityId,
                        counted.stream().map(change -> change.changing().changeId()).toList()));
            }
        }

        private Known current(String opportunityId) {
            return opportunityById.get(opportunityId).orElseThrow();
        }

        private void remember(String opportunityId, Known saved) {
            opportunityById.put(opportunityId, Optional.of(saved));
        }

        private Change<OpportunityPlacesChanged> counting(Opportunity opportunity, List<Counted> counted) {
            boolean changed = false;
            List<OpportunityPlacesChanged> events = new ArrayList<>();
            for (Counted change : counted) {
                PlaceHolding holding = change.changing();
                Change<OpportunityPlacesChanged> one = holding.step() == Step.TAKING
                        ? opportunity.takePlace(holding.referralId(), holding.changeId(), now)
                        : opportunity.releasePlace(holding.referralId(), holding.changeId(), now);
                changed |= one.changed();
                events.addAll(one.events());
            }
            return new Change<>(changed, events);
        }
    }

    private static Query seen(String holdingId, Step step) {
        return Query.query(Criteria.where("_id").is(holdingId).and("step").is(step));
    }

    /**
     * Runs {@code marks}; a holding another handling changed meanwhile (an insert finding one, a move finding it at
     * another step: only during a rebalance) fails the batch, which is delivered again and decided afresh.
     */
    private static void expect(BulkOperations marks, int moves) {
        try {
            if (marks.execute().getMatchedCount() != moves) {
                throw new IllegalStateException("A place holding changed under the batch");
            }
        } catch (BulkOperationException raced) {
            throw new IllegalStateException("A place holding changed under the batch", raced);
        }
    }

    private static Optional<String> text(JsonNode data, String field) {
        JsonNode value = data.path(field);
        return value.isString() && value.asString().matches(ResourceId.PATTERN)
                ? Optional.of(value.asString()) : Optional.empty();
    }
}
