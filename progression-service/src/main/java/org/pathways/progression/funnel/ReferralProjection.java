package org.pathways.progression.funnel;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.LearnerProfileUpdated;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.opportunity.OpportunityUpdated;
import org.pathways.events.referral.ReferralOverdue;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.ReferralTransitioned;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.events.EventData;
import org.pathways.progression.events.Projection;
import org.pathways.progression.events.ProjectionChange;
import org.pathways.progression.learners.LearnerProjection;
import org.pathways.progression.tally.DurationSketch;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Facts;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Tally;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Keeps the facts of each referral ({@value #COLLECTION}, by referral id): its parties, opportunity and that
 * opportunity's kind, the learner's locality when referred, its furthest funnel stage, the first time it reached each
 * stage, outcome reason codes, SLA breaches, the referral it follows on from and the opportunities of those that follow
 * on from it. No learner id. From the facts it derives what the referral adds to three families of daily buckets
 * (the day it was submitted, or its earliest event seen so far):
 * <ul>
 *   <li>{@value #FUNNEL}: by receiving agency, referring agency, opportunity kind and locality — every stage reached,
 *       outcomes and their reasons, holds, overdue breaches, and the acknowledge and decision durations as
 *       {@link DurationSketch} bins;</li>
 *   <li>{@value #STEPS}: by opportunity (pathway step) and both agencies — referred, completed, moved on to a next
 *       referral, stopped;</li>
 *   <li>{@value #NEXT_STEPS}: by opportunity and the opportunity moved on to.</li>
 * </ul>
 * The opportunity kind is the one known when the referral was first seen (or the first one published after it); the
 * locality is the learner's when the referral was first seen (or the first one learnt after).
 */
@Component
@Order(1)
public class ReferralProjection implements Projection {

    public static final String COLLECTION = "referrals";
    public static final String OPPORTUNITIES = "opportunities";
    public static final String FUNNEL = "funnel";
    public static final String STEPS = "steps";
    public static final String NEXT_STEPS = "next-steps";
    public static final String PROJECTION = "funnel";
    /**
     * The durations of family {@value #FUNNEL} (acknowledge and decision sketches and counts) go to running sums over
     * days by receiving and referring agency (family {@value #DURATIONS}), not to the daily funnel buckets: a window's
     * response times read at most 33 nodes per pair of agencies, each sketch's bins bounded by its accuracy,
     * instead of every daily bucket's sketch (the bins of thousands of sketches grew with the referrals in them).
     */
    public static final String DURATIONS = "durations";
    public static final FactStore.RollUp DURATIONS_ROLL_UP = new FactStore.RollUp(FUNNEL, DURATIONS,
            List.of("receiving", "referring"), List.of("acknowledge", "decision"));

    private final FactStore facts;
    private final LearnerProjection learners;

    ReferralProjection(FactStore facts, LearnerProjection learners) {
        this.facts = facts;
        this.learners = learners;
    }

    /** The durations' roll-up, declared to the store (which knows it before anything is consumed or rebuilt). */
    @Bean
    static FactStore.RollUp referralDurations() {
        return DURATIONS_ROLL_UP;
    }

    @Override
    public void readAhead(Map<String, Set<String>> ids, Generation generation) {
        Set<String> referrals = new HashSet<>(ids.getOrDefault("referralId", Set.of()));
        referrals.addAll(ids.getOrDefault("previousReferralId", Set.of()));
        facts.readAhead(generation, COLLECTION, referrals);
        facts.readAhead(generation, OPPORTUNITIES, ids.getOrDefault("opportunityId", Set.of()));
    }

    @Override
    public Optional<ProjectionChange> apply(ReceivedEvent event, Generation generation) {
        EventType type = event.knownType().orElseThrow();
        return switch (type) {
            case REFERRAL_SUBMITTED -> {
                ReferralSubmitted submitted = EventData.of(event, ReferralSubmitted.class);
                Optional<ProjectionChange> change = record(generation, submitted.referralId(), submitted.learnerId(),
                        submitted.referringAgencyId(), submitted.receivingAgencyId(), submitted.opportunityId(),
                        submitted.submittedAt(), f -> f.max("stage", FunnelStage.SUBMITTED.rank())
                                .min("submittedAt", Date.from(submitted.submittedAt()))
                                .setIfAbsent("previousReferralId", submitted.previousReferralId()));
                if (submitted.previousReferralId() != null) {
                    // The referral it follows on from moved on, to this opportunity.
                    facts.change(generation, COLLECTION, submitted.previousReferralId(),
                            f -> f.addToSet("next", submitted.opportunityId() == null ? Tally.UNKNOWN
                                    : submitted.opportunityId()), this::tallies);
                }
                yield change;
            }
            case REFERRAL_RECEIVED -> transition(event, generation, FunnelStage.RECEIVED, "received", false);
            case REFERRAL_ACCEPTED -> transition(event, generation, FunnelStage.ACCEPTED, "accepted", false);
            case REFERRAL_STARTED -> transition(event, generation, FunnelStage.STARTED, "started", false);
            case REFERRAL_COMPLETED -> transition(event, generation, FunnelStage.COMPLETED, "completed", false);
            // Rejection and cancellation can happen straight after submission; failure and holds only once accepted.
            case REFERRAL_REJECTED -> transition(event, generation, FunnelStage.SUBMITTED, "rejected", true);
            case REFERRAL_CANCELLED -> transition(event, generation, FunnelStage.SUBMITTED, "cancelled", true);
            case REFERRAL_FAILED -> transition(event, generation, FunnelStage.ACCEPTED, "failed", true);
            case REFERRAL_ON_HOLD -> transition(event, generation, FunnelStage.ACCEPTED, "onHold", false);
            case REFERRAL_RESUMED -> transition(event, generation, FunnelStage.ACCEPTED, null, false);
            case REFERRAL_OVERDUE -> {
                ReferralOverdue overdue = EventData.of(event, ReferralOverdue.class);
                yield record(generation, overdue.referralId(), overdue.learnerId(), overdue.referringAgencyId(),
                        overdue.receivingAgencyId(), overdue.opportunityId(), overdue.detectedAt(),
                        f -> f.max("stage", FunnelStage.SUBMITTED.rank()).flag("overdue" + overdue.breach().name(),
                                true));
            }
            case OPPORTUNITY_PUBLISHED -> {
                OpportunityPublished published = EventData.of(event, OpportunityPublished.class);
                yield opportunityKind(generation, published.opportunityId(), published.kind(),
                        published.providerAgencyId());
            }
            case OPPORTUNITY_UPDATED -> {
                OpportunityUpdated updated = EventData.of(event, OpportunityUpdated.class);
                yield opportunityKind(generation, updated.opportunityId(), updated.kind(),
                        updated.providerAgencyId());
            }
            case LEARNER_REGISTERED -> {
                LearnerRegistered registered = EventData.of(event, LearnerRegistered.class);
                yield located(generation, registered.learnerId(), registered.localityCode());
            }
            case LEARNER_PROFILE_UPDATED -> {
                LearnerProfileUpdated updated = EventData.of(event, LearnerProfileUpdated.class);
                yield located(generation, updated.learnerId(), updated.localityCode());
            }
            default -> Optional.empty();
        };
    }

    private Optional<ProjectionChange> transition(ReceivedEvent event, Generation generation, FunnelStage reached,
                                                  String outcome, boolean withReason) {
        ReferralTransitioned transitioned = (ReferralTransitioned) EventData.of(event,
                event.knownType().orElseThrow().dataClass());
        return record(generation, transitioned.referralId(), transitioned.learnerId(),
                transitioned.referringAgencyId(), transitioned.receivingAgencyId(), transitioned.opportunityId(),
                transitioned.at(), f -> {
                    f.max("stage", reached.rank());
                    if (outcome != null) {
                        f.min(outcome + "At", Date.from(transitioned.at()));
                        if (withReason && transitioned.reason() != null) {
                            f.setIfAbsent(outcome + "Reason", transitioned.reason().name());
                        }
                    }
                });
    }

    private Optional<ProjectionChange> record(Generation generation, String referralId, String learnerId,
                                              String referringAgencyId, String receivingAgencyId,
                                              String opportunityId, Instant at, Consumer<Facts> update) {
        Facts known = facts.find(generation, COLLECTION, referralId);
        String kind = null;
        String locality = null;
        // Read, and when unknown the referral put on the list of those waiting for it, in one change: a change made
        // again on newer facts (a lost race) finds what another writer learnt meanwhile, rather than wait on a list
        // that was handed over already.
        if (opportunityId != null && (known == null || known.string("opportunityKind") == null)) {
            Facts opportunity = facts.find(generation, OPPORTUNITIES, opportunityId);
            kind = opportunity == null ? null : opportunity.string("kind");
            if (kind == null) {
                kind = facts.change(generation, OPPORTUNITIES, opportunityId, f -> {
                    if (f.string("kind") == null) {
                        f.addToSet("awaiting", referralId);
                    }
                }, f -> List.of()).string("kind");
            }
        }
        if (learnerId != null && (known == null || known.string("localityCode") == null)) {
            locality = learners.localityOf(generation, learnerId)
                    .or(() -> learners.awaitLocality(generation, learnerId, referralId)).orElse(null);
        }
        String opportunityKind = kind;
        String localityCode = locality;
        facts.change(generation, COLLECTION, referralId, known, f -> {
            f.setIfAbsent("referringAgencyId", referringAgencyId)
                    .setIfAbsent("receivingAgencyId", receivingAgencyId)
                    .setIfAbsent("opportunityId", opportunityId)
                    .setIfAbsent("opportunityKind", opportunityKind)
                    .setIfAbsent("localityCode", localityCode)
                    // The cohort a referral is counted in: its submission, or the earliest of its events seen so far.
                    .min("cohortAt", Date.from(at));
            update.accept(f);
        }, this::tallies);
        return Optional.of(ProjectionChange.of(PROJECTION, referringAgencyId, receivingAgencyId));
    }

    private Optional<ProjectionChange> opportunityKind(Generation generation, String opportunityId,
                                                       OpportunityKind kind, String providerAgencyId) {
        if (kind == null) {
            return Optional.empty();
        }
        Facts opportunity = facts.change(generation, OPPORTUNITIES, opportunityId, f -> f.set("kind", kind.name()),
                f -> List.of());
        List<String> waiting = opportunity.strings("awaiting");
        if (waiting.isEmpty()) {
            return Optional.empty();
        }
        // Referrals seen before their opportunity get its kind now.
        for (String referralId : waiting) {
            facts.change(generation, COLLECTION, referralId, f -> f.setIfAbsent("opportunityKind", kind.name()),
                    this::tallies);
        }
        // Off the list once they have it, and only then (see FactStore#changeAfterOthers).
        facts.changeAfterOthers(generation, OPPORTUNITIES, opportunityId, f -> f.removeAll("awaiting", waiting),
                f -> List.of());
        return Optional.of(ProjectionChange.of(PROJECTION, providerAgencyId));
    }

    private Optional<ProjectionChange> located(Generation generation, String learnerId, String localityCode) {
        if (localityCode == null) {
            return Optional.empty();
        }
        List<String> waiting = learners.awaitingReferrals(generation, learnerId);
        if (waiting.isEmpty()) {
            return Optional.empty();
        }
        for (String referralId : waiting) {
            facts.change(generation, COLLECTION, referralId, f -> f.setIfAbsent("localityCode", localityCode),
                    this::tallies);
        }
        learners.locatedReferrals(generation, learnerId, waiting);
        return waiting.isEmpty() ? Optional.empty() : Optional.of(ProjectionChange.of(PROJECTION));
    }

    /** What one referral's facts add to the buckets. */
    List<Tally> tallies(Facts referral) {
        String receiving = referral.string("receivingAgencyId");
        Date cohortAt = referral.date("cohortAt");
        if (receiving == null || cohortAt == null) {
            // Only known as the referral another one follows on from, so far.
            return List.of();
        }
        LocalDate day = cohortAt.toInstant().atZone(ZoneOffset.UTC).toLocalDate();
        String referring = referral.string("referringAgencyId");
        Tally.Counts funnel = new Tally.Counts();
        int stage = referral.integer("stage", FunnelStage.SUBMITTED.rank());
        for (FunnelStage reached : FunnelStage.values()) {
            funnel.addIf(reached.rank() <= stage, reached.field());
        }
        for (String outcome : List.of("rejected", "failed", "cancelled")) {
            if (referral.date(outcome + "At") != null) {
                funnel.add(outcome).add(outcome + "By." + orElse(referral.string(outcome + "Reason"), "UNSPECIFIED"));
            }
        }
        funnel.addIf(referral.date("onHoldAt") != null, "onHold")
                .addIf(referral.flag("overdueACKNOWLEDGE"), "overdueAcknowledge")
                .addIf(referral.flag("overdueDECIDE"), "overdueDecide");
        Date submitted = referral.date("submittedAt");
        if (submitted != null) {
            duration(funnel, "acknowledge", submitted, referral.date("receivedAt"));
            Date accepted = referral.date("acceptedAt");
            duration(funnel, "decision", submitted, accepted != null ? accepted : referral.date("rejectedAt"));
        }
        List<Tally> tallies = new ArrayList<>();
        tallies.add(new Tally(FUNNEL, day, Map.of("receiving", receiving, "referring", orUnknown(referring),
                "kind", orUnknown(referral.string("opportunityKind")),
                "locality", orUnknown(referral.string("localityCode"))), funnel.build()));

        String opportunity = orUnknown(referral.string("opportunityId"));
        List<String> next = referral.strings("next");
        boolean completed = referral.date("completedAt") != null;
        boolean ended = completed || referral.date("rejectedAt") != null || referral.date("failedAt") != null
                || referral.date("cancelledAt") != null;
        tallies.add(new Tally(STEPS, day, Map.of("opportunity", opportunity, "receiving", receiving,
                "referring", orUnknown(referring)), new Tally.Counts().add("referred")
                .addIf(referral.string("previousReferralId") != null, "followedOn")
                .addIf(completed, "completed")
                .addIf(!next.isEmpty(), "movedOn")
                .addIf(completed && next.isEmpty(), "stoppedAfterCompleting")
                .addIf(ended && !completed && next.isEmpty(), "stoppedWithoutCompleting").build()));
        for (String nextOpportunity : next) {
            tallies.add(new Tally(NEXT_STEPS, day, Map.of("opportunity", opportunity, "next", nextOpportunity),
                    Map.of("referrals", 1L)));
        }
        return tallies;
    }

    private static void duration(Tally.Counts counts, String measure, Date from, Date to) {
        if (to != null && !to.before(from)) {
            counts.add(measure + "Count").add(measure + "." + DurationSketch.bin((to.getTime() - from.getTime())
                    / 1000));
        }
    }

    private static String orUnknown(String value) {
        return value == null ? Tally.UNKNOWN : value;
    }

    private static String orElse(String value, String otherwise) {
        return value == null ? otherwise : value;
    }
}
