package org.pathways.progression.journeys;

import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.bson.Document;
import org.pathways.platform.security.Caller;
import org.pathways.platform.validation.ResourceId;
import org.pathways.progression.access.Audience;
import org.pathways.progression.disclosure.ReportedCount;
import org.pathways.progression.funnel.ReferralProjection;
import org.pathways.progression.report.ReportWindow;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generations;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Journeys along pathways, for coordinators: for each pathway step (opportunity) referred to in the window, how many
 * referrals there were, how many followed on from an earlier one, completed, moved on to a next referral, or stopped
 * (after completing, or without), and where they moved on to. Chains are the referrals' {@code previousReferralId}s.
 */
@RestController
@RequestMapping("/api/progression")
class JourneyReports {


    private final FactStore store;
    private final Generations generations;
    private final Clock clock;

    JourneyReports(FactStore store, Generations generations, Clock clock) {
        this.store = store;
        this.generations = generations;
        this.clock = clock;
    }

    record NextStep(String opportunityId, ReportedCount referrals) {
    }

    record Step(String opportunityId, ReportedCount referred, ReportedCount followedOn, ReportedCount completed,
                ReportedCount movedOn, ReportedCount stoppedAfterCompleting, ReportedCount stoppedWithoutCompleting,
                Double movedOnRate, List<NextStep> nextSteps) {
    }

    record JourneysReport(LocalDate from, LocalDate to, String opportunityId, List<Step> steps) {
    }

    private static final List<String> COUNTS = List.of("referred", "followedOn", "completed", "movedOn",
            "stoppedAfterCompleting", "stoppedWithoutCompleting");

    @GetMapping("/journeys")
    JourneysReport journeys(Caller caller,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @RequestParam(required = false) @ResourceId String opportunityId) {
        Audience.partnership(caller);
        ReportWindow window = ReportWindow.of(from, to, clock);
        Map<String, long[]> steps = new TreeMap<>();
        for (Document bucket : store.buckets(generations.active(), ReferralProjection.STEPS, window.from(),
                window.to())) {
            String opportunity = bucket.getString("opportunity");
            if (opportunityId != null && !opportunityId.equals(opportunity)) {
                continue;
            }
            long[] counts = steps.computeIfAbsent(opportunity, o -> new long[COUNTS.size()]);
            for (int i = 0; i < COUNTS.size(); i++) {
                counts[i] += bucket.get(COUNTS.get(i)) instanceof Number n ? n.longValue() : 0;
            }
        }
        Map<String, Map<String, Long>> next = new TreeMap<>();
        for (Document bucket : store.buckets(generations.active(), ReferralProjection.NEXT_STEPS, window.from(),
                window.to())) {
            long count = bucket.get("referrals") instanceof Number n ? n.longValue() : 0;
            if (count > 0 && (opportunityId == null || opportunityId.equals(bucket.getString("opportunity")))) {
                next.computeIfAbsent(bucket.getString("opportunity"), o -> new TreeMap<>())
                        .merge(bucket.getString("next"), count, Long::sum);
            }
        }
        List<Step> report = new ArrayList<>();
        steps.forEach((opportunity, counts) -> {
            if (counts[0] == 0) {
                return;
            }
            ReportedCount referred = ReportedCount.of(counts[0]);
            ReportedCount movedOn = ReportedCount.of(counts[3]);
            List<NextStep> nextSteps = new ArrayList<>();
            next.getOrDefault(opportunity, Map.of()).forEach((to2, n) ->
                    nextSteps.add(new NextStep(to2, ReportedCount.of(n))));
            report.add(new Step(opportunity, referred, ReportedCount.of(counts[1]), ReportedCount.of(counts[2]),
                    movedOn, ReportedCount.of(counts[4]), ReportedCount.of(counts[5]),
                    ReportedCount.rate(movedOn, referred), nextSteps));
        });
        return new JourneysReport(window.from(), window.to(), opportunityId, report);
    }
}
