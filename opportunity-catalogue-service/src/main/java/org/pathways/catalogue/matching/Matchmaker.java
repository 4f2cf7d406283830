package org.pathways.catalogue.matching;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.pathways.catalogue.opportunity.AccessibilityFeature;
import org.pathways.catalogue.opportunity.DeliveryMode;
import org.pathways.catalogue.opportunity.Eligibility;
import org.pathways.catalogue.opportunity.FreeFor;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.catalogue.opportunity.OpportunityView;
import org.pathways.catalogue.opportunity.QualificationLevel;
import org.pathways.catalogue.opportunity.SearchText;
import org.pathways.catalogue.opportunity.Venue;
import org.pathways.catalogue.search.OpportunitySearch;
import org.pathways.catalogue.search.SearchCriteria;
import org.springframework.stereotype.Service;

/**
 * Matches a learner's needs to listed opportunities. Candidates are those relevant to the learner, from the same
 * search index as the catalogue search ({@link OpportunitySearch#candidates}): those sharing a word (stemmed, or
 * nearly) with a goal when goals are given, most relevant first; otherwise those in the locality, within reach, or
 * online (everything listed when the request names none of these). Each is then judged here: hard
 * rules exclude it with reasons, the rest are scored with reasons.
 */
@Service
public class Matchmaker {

    /**
     * The most relevant candidates judged: the index ranks them (goal words by BM25, those within reach first; without
     * goals, newest first among those within reach or online).
     */
    static final int MAX_CANDIDATES = 500;
    static final int MAX_EXCLUDED = 50;

    private final OpportunitySearch search;

    Matchmaker(OpportunitySearch search) {
        this.search = search;
    }

    public MatchResults match(MatchRequest request) {
        SearchCriteria.Point near = request.latitude() == null ? null
                : new SearchCriteria.Point(request.latitude(), request.longitude());
        boolean hasGoalWords = request.goals().stream().anyMatch(goal -> !SearchText.tokens(goal).isEmpty());
        List<Opportunity> candidates = search.candidates(new OpportunitySearch.CandidateQuery(
                hasGoalWords ? request.goals() : List.of(),
                request.locality(), near, request.maxDistanceKm(), MAX_CANDIDATES));
        return judge(request, candidates);
    }

    /** Judges each candidate: excluded with reasons, or scored with reasons; the best {@code limit} returned. */
    MatchResults judge(MatchRequest request, List<Opportunity> candidates) {
        Set<String> goalTokens = new LinkedHashSet<>();
        request.goals().forEach(goal -> goalTokens.addAll(SearchText.tokens(goal)));
        List<MatchResults.Match> matches = new ArrayList<>();
        List<MatchResults.Exclusion> excluded = new ArrayList<>();
        for (Opportunity opportunity : candidates) {
            List<MatchReason> exclusions = exclusions(opportunity, request);
            if (!exclusions.isEmpty()) {
                if (excluded.size() < MAX_EXCLUDED) {
                    excluded.add(new MatchResults.Exclusion(opportunity.id(), opportunity.title(), exclusions));
                }
                continue;
            }
            List<MatchReason> reasons = new ArrayList<>();
            double score = score(opportunity, request, goalTokens, reasons);
            if (score > 0) {
                matches.add(new MatchResults.Match(OpportunityView.of(opportunity), Math.round(score * 100) / 100.0,
                        reasons));
            }
        }
        matches.sort(Comparator.comparingDouble(MatchResults.Match::score).reversed()
                .thenComparing(m -> m.opportunity().id()));
        return new MatchResults(matches.stream().limit(request.limit()).toList(), excluded, candidates.size());
    }

    List<MatchReason> exclusions(Opportunity o, MatchRequest r) {
        List<MatchReason> reasons = new ArrayList<>();
        Eligibility rules = o.eligibility();
        if (r.age() != null && rules.minAge() != null && r.age() < rules.minAge()) {
            reasons.add(new MatchReason("NOT_ELIGIBLE", "For people aged " + rules.minAge() + " or over."));
        }
        if (r.age() != null && rules.maxAge() != null && r.age() > rules.maxAge()) {
            reasons.add(new MatchReason("NOT_ELIGIBLE", "For people aged up to " + rules.maxAge() + "."));
        }
        if (!rules.residentIn().isEmpty() && r.locality() != null
                && rules.residentIn().stream().noneMatch(l -> l.equalsIgnoreCase(r.locality()))) {
            reasons.add(new MatchReason("NOT_ELIGIBLE", "Only for residents of " + String.join(", ",
                    rules.residentIn()) + "."));
        }
        if (!rules.benefits().isEmpty() && rules.benefits().stream().noneMatch(r.benefits()::contains)) {
            reasons.add(new MatchReason("NOT_ELIGIBLE", "Only for people receiving one of " + rules.benefits()
                    + "."));
        }
        Optional<QualificationLevel> learner = QualificationLevel.of(r.level());
        Optional<QualificationLevel> prior = QualificationLevel.of(rules.priorLevel());
        if (prior.isPresent() && (learner.isEmpty() || learner.get().stepsAbove(prior.get()) < 0)) {
            reasons.add(new MatchReason("NOT_ELIGIBLE", "Needs " + prior.get() + " or above first."));
        }
        Optional<QualificationLevel> level = QualificationLevel.of(o.level());
        if (learner.isPresent() && level.isPresent() && prior.isEmpty() && level.get().stepsAbove(learner.get()) > 2) {
            reasons.add(new MatchReason("LEVEL_TOO_HIGH", "Level " + level.get() + " is more than two steps above "
                    + learner.get() + "."));
        }
        if (o.status() == OpportunityStatus.FULL && !o.waitlistOpen()) {
            reasons.add(new MatchReason("FULL", "Every place is taken and there is no waiting list."));
        }
        if (o.mode() != DeliveryMode.ONLINE) {
            Double distance = nearest(o, r);
            boolean local = r.locality() != null && o.venues().stream()
                    .anyMatch(v -> v.locality().equalsIgnoreCase(r.locality()));
            if (distance != null && distance > r.maxDistanceKm() && !local) {
                reasons.add(new MatchReason("TOO_FAR", "The nearest venue is " + Math.round(distance) + " km away."));
            } else if (distance == null && r.locality() != null && !local && !o.venues().isEmpty()
                    && o.mode() == DeliveryMode.IN_PERSON) {
                reasons.add(new MatchReason("TOO_FAR", "No venue in " + r.locality() + "."));
            }
            if (r.barriers().contains(Barrier.MOBILITY) && !o.accessibility().contains(AccessibilityFeature.STEP_FREE)
                    && o.mode() == DeliveryMode.IN_PERSON) {
                reasons.add(new MatchReason("NOT_ACCESSIBLE", "The venue is not step-free."));
            }
        }
        if (r.language() != null && !o.languages().contains(r.language())
                && !o.accessibility().contains(AccessibilityFeature.MATERIALS_IN_OTHER_LANGUAGES)
                && !o.accessibility().contains(AccessibilityFeature.INTERPRETER)
                && !"en".equals(r.language()) && r.barriers().contains(Barrier.LANGUAGE)) {
            reasons.add(new MatchReason("LANGUAGE", "Not taught in " + r.language() + "."));
        }
        if (!r.availability().isEmpty() && o.schedule() != null && !o.schedule().slots().isEmpty()
                && o.schedule().slots().stream().noneMatch(r.availability()::contains)) {
            reasons.add(new MatchReason("NOT_AVAILABLE", "Runs " + o.schedule().slots() + "."));
        }
        if (r.barriers().contains(Barrier.COST) && !o.isFree() && !freeForLearner(o, r)) {
            reasons.add(new MatchReason("NOT_AFFORDABLE", "Costs " + (o.costCurrency() == null ? o.costPence() + "p."
                    : o.costPence() / 100 + "." + String.format("%02d", o.costPence() % 100) + " " + o.costCurrency())));
        }
        return reasons;
    }

    private static boolean freeForLearner(Opportunity o, MatchRequest r) {
        return (o.freeFor().contains(FreeFor.ON_BENEFITS) && !r.benefits().isEmpty())
                || (o.freeFor().contains(FreeFor.UNDER_19) && r.age() != null && r.age() < 19)
                || (o.freeFor().contains(FreeFor.OVER_60) && r.age() != null && r.age() >= 60);
    }

    double score(Opportunity o, MatchRequest r, Set<String> goalTokens, List<MatchReason> reasons) {
        double score = 0;
        Set<String> matched = new LinkedHashSet<>(goalTokens);
        matched.retainAll(o.searchTokens());
        if (!matched.isEmpty()) {
            score += 3 * matched.size();
            reasons.add(new MatchReason("GOAL", "Matches " + String.join(", ", matched) + "."));
        } else if (!goalTokens.isEmpty()) {
            // The index found it by a goal through a stem ("cook" for "cooking") or a near spelling.
            score += 2;
            reasons.add(new MatchReason("GOAL", "Close to " + String.join(", ", goalTokens) + "."));
        }
        Optional<QualificationLevel> learner = QualificationLevel.of(r.level());
        Optional<QualificationLevel> level = QualificationLevel.of(o.level());
        if (learner.isPresent() && level.isPresent()) {
            int steps = level.get().stepsAbove(learner.get());
            if (steps == 1) {
                score += 2;
                reasons.add(new MatchReason("NEXT_LEVEL", level.get() + " is the next step from " + learner.get()
                        + "."));
            } else if (steps == 0) {
                score += 1;
                reasons.add(new MatchReason("SAME_LEVEL", "At the learner's level."));
            }
        }
        if (r.locality() != null && o.venues().stream().anyMatch(v -> v.locality().equalsIgnoreCase(r.locality()))) {
            score += 2;
            reasons.add(new MatchReason("LOCAL", "A venue in " + r.locality() + "."));
        }
        Double distance = nearest(o, r);
        if (distance != null && distance <= r.maxDistanceKm()) {
            score += 2 * (1 - distance / r.maxDistanceKm());
            reasons.add(new MatchReason("NEARBY", Math.round(distance * 10) / 10.0 + " km away."));
        }
        if (o.mode() != DeliveryMode.IN_PERSON) {
            score += 0.5;
            reasons.add(new MatchReason("ONLINE", "Can be followed online."));
        }
        score += barrier(r, Barrier.CHILDCARE, o.accessibility().contains(AccessibilityFeature.CRECHE),
                "A creche on site.", reasons);
        score += barrier(r, Barrier.MOBILITY, o.accessibility().contains(AccessibilityFeature.STEP_FREE)
                || o.mode() == DeliveryMode.ONLINE, "Step-free or online.", reasons);
        score += barrier(r, Barrier.HEARING, o.accessibility().contains(AccessibilityFeature.HEARING_LOOP)
                || o.accessibility().contains(AccessibilityFeature.BSL_INTERPRETER), "A hearing loop.", reasons);
        score += barrier(r, Barrier.COST, o.isFree() || freeForLearner(o, r), "Free for this learner.", reasons);
        score += barrier(r, Barrier.TRAVEL, o.mode() != DeliveryMode.IN_PERSON, "No travel needed.", reasons);
        score += barrier(r, Barrier.DIGITAL_ACCESS, o.mode() == DeliveryMode.IN_PERSON, "No computer needed.",
                reasons);
        if (r.language() != null && !"en".equals(r.language()) && (o.languages().contains(r.language())
                || o.accessibility().contains(AccessibilityFeature.MATERIALS_IN_OTHER_LANGUAGES))) {
            score += 1;
            reasons.add(new MatchReason("LANGUAGE", "Support in " + r.language() + "."));
        }
        if (!r.availability().isEmpty() && o.schedule() != null
                && o.schedule().slots().stream().anyMatch(r.availability()::contains)) {
            score += 1;
            reasons.add(new MatchReason("AVAILABLE", "Runs when the learner is free."));
        }
        if (o.status() == OpportunityStatus.FULL) {
            score -= 1;
            reasons.add(new MatchReason("WAITLIST", "Full; referrals join the waiting list."));
        }
        return score;
    }

    private static double barrier(MatchRequest r, Barrier barrier, boolean addressed, String detail,
                                  List<MatchReason> reasons) {
        if (r.barriers().contains(barrier) && addressed) {
            reasons.add(new MatchReason("BARRIER_" + barrier.name(), detail));
            return 1;
        }
        return 0;
    }

    private static Double nearest(Opportunity o, MatchRequest r) {
        if (r.latitude() == null) {
            return null;
        }
        return o.venues().stream().filter(Venue::hasCoordinates)
                .mapToDouble(v -> Venue.kilometresBetween(r.latitude(), r.longitude(), v.latitude(), v.longitude()))
                .min().stream().boxed().findFirst().orElse(null);
    }
}
