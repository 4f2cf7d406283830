package org.pathways.learner.milestone;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.MilestoneRecorded;
import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.domain.Access;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.domain.Milestone;
import org.pathways.learner.domain.Sharing;
import org.pathways.messaging.inbox.BatchScope;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.idempotency.IdempotencyKeys;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Service;

/** Records and reads the progression timeline; each step is saved with its event through the outbox. */
@Service
class Milestones {

    private static final int ATTEMPTS = 3;

    private final Learners learners;
    private final Outbox outbox;
    private final AccessAudit audit;
    private final Clock clock;
    /** The batch being consumed on this thread, if any. */
    private final ThreadLocal<Batch> batches = new ThreadLocal<>();

    Milestones(Learners learners, Outbox outbox, AccessAudit audit, Clock clock) {
        this.learners = learners;
        this.outbox = outbox;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Workers (or systems) of an agency that may see the learner record steps for their own agency; an agency that
     * only reads the learner (through a referral it receives) adds nothing: its outcomes arrive as referral events.
     */
    Recorded record(Caller caller, String learnerId, RecordMilestone request, String idempotencyKey) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's workers or systems record milestones.");
        }
        String requestKey = IdempotencyKeys.digest(caller.agencyId(), idempotencyKey);
        for (int attempt = 1; ; attempt++) {
            Access access = learners.access(caller, learnerId);
            if (access.sharing().readOnly()) {
                throw Sharing.readOnlyAccess();
            }
            Learner learner = access.learner();
            Optional<Milestone> sent = learner.milestoneRequested(requestKey);
            if (sent.isPresent()) {
                return new Recorded(sent.get(), true);
            }
            MilestoneRecorded recorded = learner.recordMilestone(request.details(), caller.agencyId(),
                    caller.userId(), null, requestKey, clock.instant()).orElseThrow();
            try {
                Learner saved = outbox.save(learner, recorded);
                return new Recorded(saved.milestones().stream().filter(m -> m.id().equals(recorded.milestoneId()))
                        .findFirst().orElseThrow(), false);
            } catch (OptimisticLockingFailureException raced) {
                // Another change came first (the same request sent twice at once, say): read again, a few times.
                if (idempotencyKey == null || attempt >= ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }

    /** A milestone as recorded: {@code replayed} when the same request had recorded it already. */
    record Recorded(Milestone milestone, boolean replayed) {
    }

    /**
     * The timeline follows its purpose: the registering agency reads it, and so does an agency holding the
     * learner's consent to {@code OUTCOME_SHARING} (to itself or its kind) in force. Any other standing (a consent
     * for another purpose, a referral it receives) gets the same {@code 404} as a learner it may not see; the audit
     * names the outcome consent as the grounds.
     */
    List<Milestone> timeline(Caller caller, String learnerId, AccessRequest access) {
        Access visible = learners.access(caller, learnerId);
        Learner learner = visible.learner();
        List<String> grounds = visible.sharing().registering() ? visible.grounds()
                : learner.consentFor(caller.agencyId(), visible.viewer().kind(), ConsentPurpose.OUTCOME_SHARING,
                        clock.instant()).map(consent -> List.of("consent:" + consent.id()))
                .orElseThrow(() -> ProblemException.notFound("learner", learnerId));
        audit.record(caller, learnerId, AccessAction.READ_MILESTONES, access, grounds);
        return learner.milestones().stream()
                .sorted(java.util.Comparator.comparing(Milestone::occurredOn).thenComparing(Milestone::recordedAt))
                .toList();
    }

    /**
     * Records a step from a referral event, once per event; a learner unknown here or erased is skipped. A
     * concurrent change to the learner is retried a few times, then left to the binder's retries. Inside a batch
     * ({@link #batchScope}) the step is recorded on the learner the batch read ahead and saved with the batch.
     */
    void recordFromEvent(String learnerId, Milestone.Details details, String agencyId, String eventId) {
        Batch batch = batches.get();
        if (batch != null) {
            batch.record(learnerId, new Step(details, agencyId, eventId));
            return;
        }
        for (int attempt = 1; ; attempt++) {
            Optional<Learner> found = learners.find(learnerId);
            if (found.isEmpty()) {
                return;
            }
            Learner learner = found.get();
            Optional<MilestoneRecorded> recorded = learner.recordMilestone(details, agencyId, "referral-event",
                    eventId, clock.instant());
            if (recorded.isEmpty()) {
                return;
            }
            try {
                outbox.save(learner, recorded.get());
                return;
            } catch (OptimisticLockingFailureException raced) {
                if (attempt >= ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }

    /** A step a referral event records, kept to be recorded again on a fresh read after a concurrent change. */
    private record Step(Milestone.Details details, String agencyId, String eventId) {
    }

    /**
     * For a batch consumer: before the batch, the learners {@code learnerIds} names read with one {@code $in} by
     * {@code _id} ({@link Learners#findAll}); each event's step then recorded on them in memory, in order (a learner
     * still refuses a second milestone of the same event); at the end each learner that gained steps saved once,
     * with all their events, through the outbox (its read of the waiting events and its version-guarded write). A
     * concurrent change to a learner has it read again and its steps recorded again, a few times; then the batch
     * fails and is delivered again.
     */
    BatchScope batchScope(Function<List<ReceivedEvent>, Collection<String>> learnerIds) {
        return new BatchScope() {
            @Override
            public void begin(List<ReceivedEvent> events) {
                Batch batch = new Batch();
                batch.readAhead(learnerIds.apply(events));
                batches.set(batch);
            }

            @Override
            public void complete() {
                Batch batch = batches.get();
                if (batch != null) {
                    batch.save();
                }
            }

            @Override
            public void close() {
                batches.remove();
            }
        };
    }

    /** The learners a batch read ahead, the steps recorded on them, and the events to save with them. */
    private final class Batch {

        /** By requested id: the live learner it stands for (absent: unknown, erased or merged away). */
        private final Map<String, Optional<Learner>> learners = new HashMap<>();
        /** By stored id: the learners that gained steps since the last save, with their steps and events. */
        private final Map<String, List<Step>> steps = new LinkedHashMap<>();
        private final Map<String, List<MilestoneRecorded>> events = new HashMap<>();
        /** By stored id, the one object each learner is changed on (a learner may be named by merged-away ids). */
        private final Map<String, Learner> changing = new HashMap<>();

        void readAhead(Collection<String> learnerIds) {
            List<String> ids = learnerIds.stream().filter(id -> !learners.containsKey(id)).distinct().toList();
            if (!ids.isEmpty()) {
                learners.putAll(Milestones.this.learners.findAll(ids));
            }
        }

        void record(String learnerId, Step step) {
            readAhead(List.of(learnerId));   // one the batch did not name ahead (none, normally)
            Optional<Learner> found = learners.get(learnerId);
            if (found.isEmpty()) {
                return;
            }
            Learner learner = changing.computeIfAbsent(found.get().id(), id -> found.get());
            learner.recordMilestone(step.details(), step.agencyId(), "referral-event", step.eventId(),
                    clock.instant()).ifPresent(recorded -> {
                        steps.computeIfAbsent(learner.id(), id -> new ArrayList<>()).add(step);
                        events.computeIfAbsent(learner.id(), id -> new ArrayList<>()).add(recorded);
                    });
        }

        void save() {
            for (Map.Entry<String, List<Step>> gained : steps.entrySet()) {
                String learnerId = gained.getKey();
                Learner learner = changing.get(learnerId);
                List<MilestoneRecorded> recorded = events.get(learnerId);
                for (int attempt = 1; ; attempt++) {
                    try {
                        changing.put(learnerId, outbox.save(learner, recorded));
                        break;
                    } catch (OptimisticLockingFailureException raced) {
                        if (attempt >= ATTEMPTS) {
                            throw raced;
                        }
                        Optional<Learner> fresh = Milestones.this.learners.find(learnerId);
                        if (fresh.isEmpty()) {
                            break;     // erased or merged away meanwhile: nothing to record
                        }
                        learner = fresh.get();
                        recorded = new ArrayList<>();
                        for (Step step : gained.getValue()) {
                            learner.recordMilestone(step.details(), step.agencyId(), "referral-event",
                                    step.eventId(), clock.instant()).ifPresent(recorded::add);
                        }
                        changing.put(learnerId, learner);
                        if (recorded.isEmpty()) {
                            break;
                        }
                    }
                }
            }
            steps.clear();
            events.clear();
        }
    }
}
