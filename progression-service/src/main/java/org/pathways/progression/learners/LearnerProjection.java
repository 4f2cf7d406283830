package org.pathways.progression.learners;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.LeadAssigned;
import org.pathways.events.learner.LeadEnded;
import org.pathways.events.learner.LeadHandedOver;
import org.pathways.events.learner.LearnerErased;
import org.pathways.events.learner.LearnerMerged;
import org.pathways.events.learner.LearnerProfileUpdated;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.learner.PlanStepAdded;
import org.pathways.events.learner.PlanStepChanged;
import org.pathways.events.learner.PlanStepStatus;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.events.EventData;
import org.pathways.progression.events.Projection;
import org.pathways.progression.events.ProjectionChange;
import org.pathways.progression.tally.DurationSketch;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Facts;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Tally;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Learner id → current locality code, referrals waiting to learn it, and the first date of an achievement of each
 * learning kind ({@value #COLLECTION}): the only place a learner id is kept, deleted on {@code learner.erased} (and
 * for the retired id on {@code learner.merged}). From the first dates it counts the moves up the kinds of learning
 * (family {@value #MOVES}: one per learner and kind reached after a lower one, on the day it was reached, by locality).
 *
 * <p>The team around the learner: whether the learner has a lead worker now (the latest of {@code lead-assigned},
 * {@code lead-handed-over} and {@code lead-ended} by time) and when their first plan step was added give, per learner
 * registered, family {@value #SUPPORT} (the day registered, by locality): registered, with a lead, with a plan, with
 * both; the time from registration to the first plan step ({@link DurationSketch} bins and their count) goes to running
 * sums over days by locality instead (family {@value #SUPPORT_TIMES}, see {@link #SUPPORT_TIMES_ROLL_UP}). Each plan
 * step's facts ({@value #PLAN_STEPS}, by step id: owner agency and latest status by time) add to family {@value #PLAN_STEPS} (the
 * day added, by owner agency): added, open, done, dropped.
 */
@Component
@Order(0)
public class LearnerProjection implements Projection {

    public static final String COLLECTION = "learners";
    public static final String MOVES = "learning-moves";
    public static final String PROJECTION = "progression";
    public static final String SUPPORT = "learner-support";
    public static final String PLAN_STEPS = "plan-steps";
    /**
     * The times from registration to the first plan step of family {@value #SUPPORT} ({@code toFirstStep} bins and
     * {@code toFirstStepCount}) go to running sums over days by locality (family {@value #SUPPORT_TIMES}), not to the
     * daily buckets: a window's times read at most 33 nodes per locality, each sketch's bins bounded by its
     * accuracy, instead of one sketch per day whose bins grew with the learners in it (as the referrals' durations
     * did: see {@code ReferralProjection.DURATIONS}).
     */
    public static final String SUPPORT_TIMES = "learner-support-times";
    public static final FactStore.RollUp SUPPORT_TIMES_ROLL_UP = new FactStore.RollUp(SUPPORT, SUPPORT_TIMES,
            List.of("locality"), List.of("toFirstStep"));
    /** The kinds of learning, lowest first. */
    public static final List<String> KINDS = List.of("INFORMAL", "NON_FORMAL", "FORMAL");
    private static final String LOCALITY = "localityCode";
    private static final String AWAITING = "awaitingReferrals";

    private final FactStore facts;

    LearnerProjection(FactStore facts) {
        this.facts = facts;
    }

    /** The times to a first step's roll-up, declared to the store (known before anything is consumed or rebuilt). */
    @Bean
    static FactStore.RollUp timesToAFirstStep() {
        return SUPPORT_TIMES_ROLL_UP;
    }

    @Override
    public void readAhead(Map<String, Set<String>> ids, Generation generation) {
        facts.readAhead(generation, COLLECTION, ids.getOrDefault("learnerId", Set.of()));
        facts.readAhead(generation, PLAN_STEPS, ids.getOrDefault("stepId", Set.of()));
    }

    @Override
    public Optional<ProjectionChange> apply(ReceivedEvent event, Generation generation) {
        if (event.is(EventType.LEARNER_REGISTERED)) {
            LearnerRegistered registered = EventData.of(event, LearnerRegistered.class);
            locate(generation, registered.learnerId(), registered.localityCode());
            if (registered.registeredAt() != null) {
                facts.change(generation, COLLECTION, registered.learnerId(),
                        f -> f.min("registeredAt", Date.from(registered.registeredAt())), this::tallies);
            }
            return Optional.of(ProjectionChange.of(PROJECTION));
        } else if (event.is(EventType.LEAD_ASSIGNED)) {
            LeadAssigned assigned = EventData.of(event, LeadAssigned.class);
            lead(generation, assigned.learnerId(), true, assigned.assignedAt());
        } else if (event.is(EventType.LEAD_HANDED_OVER)) {
            LeadHandedOver handedOver = EventData.of(event, LeadHandedOver.class);
            lead(generation, handedOver.learnerId(), true, handedOver.handedOverAt());
        } else if (event.is(EventType.LEAD_ENDED)) {
            LeadEnded ended = EventData.of(event, LeadEnded.class);
            lead(generation, ended.learnerId(), false, ended.endedAt());
        } else if (event.is(EventType.PLAN_STEP_ADDED)) {
            PlanStepAdded added = EventData.of(event, PlanStepAdded.class);
            step(generation, added.stepId(), added.ownerAgencyId(), added.status(), added.addedAt(), true);
            facts.change(generation, COLLECTION, added.learnerId(),
                    f -> f.min("firstPlanStepAt", Date.from(added.addedAt())), this::tallies);
            return Optional.of(ProjectionChange.of(PROJECTION));
        } else if (event.is(EventType.PLAN_STEP_CHANGED)) {
            PlanStepChanged changed = EventData.of(event, PlanStepChanged.class);
            step(generation, changed.stepId(), changed.ownerAgencyId(), changed.status(), changed.changedAt(),
                    false);
            return Optional.of(ProjectionChange.of(PROJECTION));
        } else if (event.is(EventType.LEARNER_PROFILE_UPDATED)) {
            LearnerProfileUpdated updated = EventData.of(event, LearnerProfileUpdated.class);
            locate(generation, updated.learnerId(), updated.localityCode());
        } else if (event.is(EventType.LEARNER_ERASED)) {
            facts.forget(generation, COLLECTION, EventData.of(event, LearnerErased.class).learnerId());
        } else if (event.is(EventType.LEARNER_MERGED)) {
            facts.forget(generation, COLLECTION, EventData.of(event, LearnerMerged.class).learnerId());
        }
        return Optional.empty();
    }

    private void locate(Generation generation, String learnerId, String localityCode) {
        if (localityCode != null) {
            facts.change(generation, COLLECTION, learnerId, f -> f.set(LOCALITY, localityCode), this::tallies);
        }
    }

    /** The learner's locality code, when known. */
    public Optional<String> localityOf(Generation generation, String learnerId) {
        return Optional.ofNullable(facts.find(generation, COLLECTION, learnerId)).map(f -> f.string(LOCALITY));
    }

    /**
     * Remembers that {@code referralId} waits to learn where {@code learnerId} lives, unless that is known by now:
     * then says where.
     */
    public Optional<String> awaitLocality(Generation generation, String learnerId, String referralId) {
        return Optional.ofNullable(facts.change(generation, COLLECTION, learnerId, f -> {
            if (f.string(LOCALITY) == null) {
                f.addToSet(AWAITING, referralId);
            }
        }, this::tallies).string(LOCALITY));
    }

    /** The referrals waiting to learn the learner's locality (see {@link #locatedReferrals}). */
    public List<String> awaitingReferrals(Generation generation, String learnerId) {
        Facts learner = facts.find(generation, COLLECTION, learnerId);
        return learner == null ? List.of() : learner.strings(AWAITING);
    }

    /**
     * Forgets that {@code referralIds} wait to learn the learner's locality, once they were given it: after them
     * (see {@link FactStore#changeAfterOthers}), so a referral whose change is not written is still on the list.
     */
    public void locatedReferrals(Generation generation, String learnerId, List<String> referralIds) {
        facts.changeAfterOthers(generation, COLLECTION, learnerId, f -> f.removeAll(AWAITING, referralIds),
                this::tallies);
    }

    /** Records an achievement of {@code learningKind} on {@code occurredOn}; says whether the moves changed. */
    public boolean achieved(Generation generation, String learnerId, String learningKind, LocalDate occurredOn) {
        if (learningKind == null || !KINDS.contains(learningKind)) {
            return false;
        }
        Date day = Date.from(occurredOn.atStartOfDay(ZoneOffset.UTC).toInstant());
        facts.change(generation, COLLECTION, learnerId, f -> f.min("first" + learningKind, day), this::tallies);
        return true;
    }

    /** Whether the learner has a lead now: the latest lead event by time decides, whatever order they came in. */
    private void lead(Generation generation, String learnerId, boolean hasLead, Instant at) {
        Date time = Date.from(at);
        facts.change(generation, COLLECTION, learnerId, f -> {
            Date latest = f.date("leadAt");
            if (latest == null || time.after(latest) || (time.equals(latest) && !hasLead)) {
                f.set("leadAt", time).set("hasLead", hasLead);
            }
        }, this::tallies);
    }

    /** A plan step's owner and status: the latest by time; when it was added, the first time seen added. */
    private void step(Generation generation, String stepId, String ownerAgencyId, PlanStepStatus status,
                      Instant at, boolean added) {
        Date time = Date.from(at);
        facts.change(generation, PLAN_STEPS, stepId, f -> {
            if (added) {
                f.min("addedAt", time);
            }
            Date latest = f.date("statusAt");
            if (latest == null || !time.before(latest)) {
                f.set("statusAt", time).set("status", status.name()).set("ownerAgencyId", ownerAgencyId);
            }
        }, LearnerProjection::stepTallies);
    }

    private static List<Tally> stepTallies(Facts step) {
        Date added = step.date("addedAt");
        if (added == null) {
            return List.of();
        }
        String status = step.string("status");
        return List.of(new Tally(PLAN_STEPS, added.toInstant().atZone(ZoneOffset.UTC).toLocalDate(),
                Map.of("owner", orUnknown(step.string("ownerAgencyId"))), new Tally.Counts().add("added")
                .addIf("DONE".equals(status), "done").addIf("DROPPED".equals(status), "dropped")
                .addIf(!"DONE".equals(status) && !"DROPPED".equals(status), "open").build()));
    }

    private List<Tally> tallies(Facts learner) {
        List<Tally> tallies = moves(learner);
        Date registered = learner.date("registeredAt");
        if (registered != null) {
            Date firstStep = learner.date("firstPlanStepAt");
            boolean hasLead = learner.flag("hasLead");
            Tally.Counts support = new Tally.Counts().add("registered").addIf(hasLead, "withLead")
                    .addIf(firstStep != null, "withPlan").addIf(hasLead && firstStep != null, "withLeadAndPlan");
            if (firstStep != null && !firstStep.before(registered)) {
                support.add("toFirstStepCount").add("toFirstStep."
                        + DurationSketch.bin((firstStep.getTime() - registered.getTime()) / 1000));
            }
            tallies.add(new Tally(SUPPORT, registered.toInstant().atZone(ZoneOffset.UTC).toLocalDate(),
                    Map.of("locality", orUnknown(learner.string(LOCALITY))), support.build()));
        }
        return tallies;
    }

    /** One move per kind reached after a lower one was: from the highest lower kind reached by then. */
    private List<Tally> moves(Facts learner) {
        List<Tally> moves = new ArrayList<>();
        for (int to = 1; to < KINDS.size(); to++) {
            Date reached = learner.date("first" + KINDS.get(to));
            if (reached == null) {
                continue;
            }
            for (int from = to - 1; from >= 0; from--) {
                Date before = learner.date("first" + KINDS.get(from));
                if (before != null && !before.after(reached)) {
                    moves.add(new Tally(MOVES, reached.toInstant().atZone(ZoneOffset.UTC).toLocalDate(),
                            Map.of("from", KINDS.get(from), "to", KINDS.get(to), "locality",
                                    orUnknown(learner.string(LOCALITY))),
                            Map.of("learners", 1L)));
                    break;
                }
            }
        }
        return moves;
    }

    private static String orUnknown(String value) {
        return value == null ? Tally.UNKNOWN : value;
    }
}
