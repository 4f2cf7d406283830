package org.pathways.progression.milestones;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.MilestoneRecorded;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.ReferralTransitioned;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.events.EventData;
import org.pathways.progression.events.Projection;
import org.pathways.progression.events.ProjectionChange;
import org.pathways.progression.funnel.ReferralProjection;
import org.pathways.progression.learners.LearnerProjection;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Facts;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Tally;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The facts of each milestone ({@value #COLLECTION}, keyed by milestone id, so a repeat is a no-op): its type,
 * learning kind, day, the learner's locality code when first seen, the opportunity (taken from its referral when the
 * milestone names only the referral) and the agencies party to it (the recorder and its referral's two). Each adds
 * one to a daily bucket of family {@value #FAMILY} by all of those. No learner id.
 */
@Component
@Order(2)
class MilestoneProjection implements Projection {

    static final String COLLECTION = "milestones";
    static final String FAMILY = "milestones";
    /** Milestones consumed before their referral, by referral id, until the referral's events arrive. */
    static final String AWAITING = "milestones-awaiting-referral";
    static final String PROJECTION = "milestones";
    static final String NONE = "NONE";

    private final FactStore facts;
    private final LearnerProjection learners;

    MilestoneProjection(FactStore facts, LearnerProjection learners) {
        this.facts = facts;
        this.learners = learners;
    }

    @Override
    public void readAhead(Map<String, Set<String>> ids, Generation generation) {
        facts.readAhead(generation, COLLECTION, ids.getOrDefault("milestoneId", Set.of()));
        facts.readAhead(generation, AWAITING, ids.getOrDefault("referralId", Set.of()));
    }

    @Override
    public Optional<ProjectionChange> apply(ReceivedEvent event, Generation generation) {
        if (event.is(EventType.REFERRAL_SUBMITTED)) {
            ReferralSubmitted submitted = EventData.of(event, ReferralSubmitted.class);
            return referralKnown(generation, submitted.referralId(), submitted.opportunityId(),
                    submitted.referringAgencyId(), submitted.receivingAgencyId());
        }
        if (event.knownType().map(type -> ReferralTransitioned.class.isAssignableFrom(type.dataClass()))
                .orElse(false)) {
            ReferralTransitioned transitioned = (ReferralTransitioned) EventData.of(event,
                    event.knownType().orElseThrow().dataClass());
            return referralKnown(generation, transitioned.referralId(), transitioned.opportunityId(),
                    transitioned.referringAgencyId(), transitioned.receivingAgencyId());
        }
        if (!event.is(EventType.MILESTONE_RECORDED)) {
            return Optional.empty();
        }
        MilestoneRecorded milestone = EventData.of(event, MilestoneRecorded.class);
        Facts referral = milestone.referralId() == null ? null
                : facts.find(generation, ReferralProjection.COLLECTION, milestone.referralId());
        boolean referralKnown = referral != null && referral.string("receivingAgencyId") != null;
        // The locality at the time it was recorded; a later move or erasure leaves counted milestones as they were.
        String locality = learners.localityOf(generation, milestone.learnerId()).orElse(null);
        Facts kept = facts.change(generation, COLLECTION, milestone.milestoneId(), f -> {
            f.setIfAbsent("milestone", milestone.milestone())
                    .setIfAbsent("learningKind", milestone.learningKind())
                    .setIfAbsent("occurredOn", milestone.occurredOn().toString())
                    .setIfAbsent("recordedByAgencyId", milestone.recordedByAgencyId())
                    .setIfAbsent("referralId", milestone.referralId())
                    .setIfAbsent("opportunityId", milestone.opportunityId())
                    .setIfAbsent("localityCode", locality);
            if (referralKnown) {
                f.setIfAbsent("opportunityId", referral.string("opportunityId"))
                        .setIfAbsent("referringAgencyId", referral.string("referringAgencyId"))
                        .setIfAbsent("receivingAgencyId", referral.string("receivingAgencyId"));
            }
        }, MilestoneProjection::tallies);
        if (milestone.referralId() != null && !referralKnown) {
            facts.change(generation, AWAITING, milestone.referralId(),
                    f -> f.addToSet("milestones", milestone.milestoneId()), f -> List.of());
        }
        learners.achieved(generation, milestone.learnerId(), milestone.learningKind(), milestone.occurredOn());
        return Optional.of(new ProjectionChange(PROJECTION, agencies(kept)));
    }

    /**
     * A milestone can be consumed before its referral (they travel on different topics): when the referral's events
     * arrive, its milestones gain the referral's agencies and, if they named none, its opportunity.
     */
    private Optional<ProjectionChange> referralKnown(Generation generation, String referralId, String opportunityId,
                                                     String referringAgencyId, String receivingAgencyId) {
        Facts waiting = facts.find(generation, AWAITING, referralId);
        List<String> milestones = waiting == null ? List.of() : waiting.strings("milestones");
        if (milestones.isEmpty()) {
            return Optional.empty();
        }
        for (String milestoneId : milestones) {
            facts.change(generation, COLLECTION, milestoneId, f -> f.setIfAbsent("opportunityId", opportunityId)
                    .setIfAbsent("referringAgencyId", referringAgencyId)
                    .setIfAbsent("receivingAgencyId", receivingAgencyId), MilestoneProjection::tallies);
        }
        // Off the list once they have them, and only then (see FactStore#changeAfterOthers); an empty list is kept.
        facts.changeAfterOthers(generation, AWAITING, referralId, f -> f.removeAll("milestones", milestones),
                f -> List.of());
        return Optional.of(ProjectionChange.of(PROJECTION, referringAgencyId, receivingAgencyId));
    }

    private static Set<String> agencies(Facts milestone) {
        Set<String> agencies = new TreeSet<>();
        for (String field : List.of("recordedByAgencyId", "referringAgencyId", "receivingAgencyId")) {
            if (milestone.string(field) != null) {
                agencies.add(milestone.string(field));
            }
        }
        return agencies;
    }

    private static List<Tally> tallies(Facts milestone) {
        if (milestone.string("occurredOn") == null) {
            return List.of();
        }
        return List.of(new Tally(FAMILY, java.time.LocalDate.parse(milestone.string("occurredOn")), Map.of(
                "milestone", milestone.string("milestone"),
                "learningKind", orElse(milestone.string("learningKind"), NONE),
                "locality", orElse(milestone.string("localityCode"), Tally.UNKNOWN),
                "opportunity", orElse(milestone.string("opportunityId"), NONE),
                "recorder", orElse(milestone.string("recordedByAgencyId"), NONE),
                "referring", orElse(milestone.string("referringAgencyId"), NONE),
                "receiving", orElse(milestone.string("receivingAgencyId"), NONE)), Map.of("milestones", 1L)));
    }

    private static String orElse(String value, String otherwise) {
        return value == null ? otherwise : value;
    }
}
