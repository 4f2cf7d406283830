package org.pathways.catalogue.places;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import org.pathways.catalogue.opportunity.Change;
import org.pathways.catalogue.places.PlaceHolding.Step;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunitiesChanged;
import org.pathways.catalogue.opportunity.OpportunityChanged;
import org.pathways.catalogue.opportunity.OpportunityRepository;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.opportunity.OpportunityPlacesChanged;
import org.pathways.messaging.inbox.BatchScope;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.validation.ResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 */
@Configuration
public class PlacesFromReferrals {

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

    private final OpportunityRepository opportunities;
    private final MongoTemplate mongo;
    private final PlaceHoldings holdings;
    private final Outbox outbox;
    private final Clock clock;
    private final ApplicationEventPublisher changes;
    /** Locks by stripe of opportunity ids: this instance's consumer threads save an opportunity in turn. */
    private final Object[] stripes = java.util.stream.Stream.generate(Object::new).limit(64).toArray();
    /** The newest version of each opportunity saved here lately (a hint, to start a save from it). */
    private final Map<String, Long> savedVersions = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int SAVED_VERSIONS_KEPT = 10_000;
    /** The batch being consumed on this thread, if any. */
    private final ThreadLocal<PlaceBatch> batches = new ThreadLocal<>();

    PlacesFromReferrals(OpportunityRepository opportunities, MongoTemplate mongo, PlaceHoldings holdings,
                        Outbox outbox, Clock clock, ApplicationEventPublisher changes) {
        this.opportunities = opportunities;
        this.mongo = mongo;
        this.holdings = holdings;
        this.outbox = outbox;
        this.clock = clock;
        this.changes = changes;
    }

    @Bean
    Consumer<Message<List<byte[]>>> referralEvents(EventInbox inbox) {
        return inbox.batchConsumer(HANDLER, this::onReferralEvent, batchScope());
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
        Optional<Opportunity> found = opportunities.findById(opportunityId);
        if (found.isEmpty()) {
            log.debug("Referral event {} is for opportunity {}, unknown here; ignored", event.id(), opportunityId);
            return;
        }
        Opportunity opportunity = found.get();
        if (opportunity.status() == OpportunityStatus.DRAFT) {
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
    private Opportunity settle(PlaceHolding holding, Opportunity read, Instant now) {
        String changeId = holding.changeId();
        Consumer<String> announce = id -> changes.publishEvent(new OpportunityChanged(id));
        Opportunity opportunity = saved(read, current -> holding.step() == Step.TAKING
                ? current.takePlace(holding.referralId(), changeId, now)
                : current.releasePlace(holding.referralId(), changeId, now), announce);
        holdings.move(holding, holding.step().next(), now);
        return saved(opportunity, current -> current.forgetPlaceChange(changeId), announce);
    }

    /**
     * Saves what {@code command} changes through the outbox (re-reading and trying again when the opportunity changed
     * meanwhile); a change with events is told to {@code changed} (the search index follows it).
     *
     * <p>The consumer's threads (one per partition) take the events of one opportunity from every partition, since
     * referral events are keyed by referral: in this instance they save an opportunity in turn (a lock per stripe of
     * opportunity ids) and start from the newest version saved here, re-reading the opportunity when another thread
     * saved it after this one read it. Without this, each save raced the other threads' and a lost race cost a
     * re-read, a read of the waiting events and a failed write, sometimes repeatedly (12 of 21 writes lost in one
     * run of PlacesBatchTest; 1.9 round trips per event in others, against 0.5). Other writers (the API, other
     * instances) are still caught by the version guard.
     */
    private Opportunity saved(Opportunity read, Function<Opportunity, Change<OpportunityPlacesChanged>> command,
                              Consumer<String> changed) {
        Opportunity current = read;
        boolean announce = false;
        synchronized (stripe(read.id())) {
            Long newest = savedVersions.get(read.id());
            if (newest != null && read.version() != null && newest > read.version()) {
                current = opportunities.findById(read.id()).orElseThrow();
            }
            for (int attempt = 1; ; attempt++) {
                Change<OpportunityPlacesChanged> change = command.apply(current);
                if (!change.changed()) {
                    break;
                }
                try {
                    current = outbox.save(current, change.events());
                    announce = !change.events().isEmpty();
                    if (savedVersions.size() >= SAVED_VERSIONS_KEPT) {
                        savedVersions.clear();  // a hint only: forgetting it costs a lost race, not a wrong count
                    }
                    savedVersions.put(current.id(), current.version());
                    break;
                } catch (OptimisticLockingFailureException concurrentEdit) {
                    if (attempt == ATTEMPTS) {
                        throw concurrentEdit;
                    }
                    current = opportunities.findById(current.id()).orElseThrow();
                }
            }
        }
        if (announce) {
            changed.accept(current.id());
        }
        return current;
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
     * settled (one bulk write), each opportunity forgetting the changes (one save). A referral whose place changes
     * twice in a batch (taken, then ended) starts a second such round at that event, so each holding has at most
     * one unsettled change at a time and the announcements keep the events' order.
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
        private final Map<String, Optional<Opportunity>> opportunityById = new HashMap<>();
        /** The settled step of each holding the batch knows (absent: none yet). */
        private final Map<String, Optional<PlaceHolding>> holdingById = new HashMap<>();
        private final List<Round> rounds = new ArrayList<>(List.of(new Round()));
        /** The changes each opportunity counted and still remembers, to forget once their holdings are settled. */
        private final Map<String, List<String>> toForget = new LinkedHashMap<>();
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
            mongo.find(Query.query(Criteria.where("_id").in(wanted)), Opportunity.class)
                    .forEach(opportunity -> opportunityById.put(opportunity.id(), Optional.of(opportunity)));
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
                    Opportunity opportunity = opportunityById.get(holding.opportunityId()).orElseThrow();
                    opportunityById.put(opportunity.id(), Optional.of(settle(holding, opportunity, now)));
                    holding = holding.at(holding.step().next(), now);
                }
                holdingById.put(holding.id(), Optional.of(holding));
            }
        }

        void apply(PlaceStep step) {
            readOpportunities(List.of(step.opportunityId()));
            Optional<Opportunity> opportunity = opportunityById.get(step.opportunityId());
            if (opportunity.isEmpty() || opportunity.get().status() == OpportunityStatus.DRAFT) {
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
            toForget.forEach((opportunityId, changeIds) -> remember(opportunityId, saved(current(opportunityId),
                    opportunity -> forgetting(opportunity, changeIds), changed::add)));
            toForget.clear();
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
            // changes of the round before are forgotten in the same save (their holdings are settled).
            Map<String, List<Counted>> byOpportunity = new LinkedHashMap<>();
            round.counted.values().forEach(counted -> byOpportunity.computeIfAbsent(
                    counted.changing().opportunityId(), id -> new ArrayList<>()).add(counted));
            byOpportunity.forEach((opportunityId, counted) -> {
                List<String> forgetting = toForget.getOrDefault(opportunityId, List.of());
                remember(opportunityId, saved(current(opportunityId), opportunity -> counting(opportunity, counted,
                        forgetting), changed::add));
                toForget.put(opportunityId, new ArrayList<>(counted.stream()
                        .map(change -> change.changing().changeId()).toList()));
            });
            // 3. The holdings marked settled, in one bulk write.
            if (!round.counted.isEmpty()) {
                BulkOperations settled = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, PlaceHolding.class);
                round.counted.values().forEach(counted -> settled.updateOne(
                        seen(counted.changing().id(), counted.changing().step()),
                        new Update().set("step", counted.changing().step().next()).set("at", now)));
                settled.execute();
            }
        }

        private Opportunity current(String opportunityId) {
            return opportunityById.get(opportunityId).orElseThrow();
        }

        private void remember(String opportunityId, Opportunity saved) {
            opportunityById.put(opportunityId, Optional.of(saved));
        }

        private Change<OpportunityPlacesChanged> counting(Opportunity opportunity, List<Counted> counted,
                                                          List<String> forgetting) {
            boolean changed = forgetting(opportunity, forgetting).changed();
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

        private Change<OpportunityPlacesChanged> forgetting(Opportunity opportunity, List<String> changeIds) {
            boolean changed = false;
            for (String changeId : changeIds) {
                changed |= opportunity.forgetPlaceChange(changeId).changed();
            }
            return new Change<>(changed, List.of());
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
