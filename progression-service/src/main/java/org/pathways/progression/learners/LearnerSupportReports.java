package org.pathways.progression.learners;

import java.time.Clock;
import java.time.LocalDate;

import org.bson.Document;
import org.pathways.platform.security.Caller;
import org.pathways.platform.validation.ResourceId;
import org.pathways.progression.access.Audience;
import org.pathways.progression.disclosure.ReportedCount;
import org.pathways.progression.disclosure.DurationSummary;
import org.pathways.progression.report.ReportWindow;
import org.pathways.progression.tally.DurationSketch;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generations;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The team around the learner, for coordinators: of the learners registered in the window, how many have a lead worker
 * now, a plan, both; how long from registration to the first plan step; and the plan steps added in the window, open,
 * done or dropped (by the owner agency, so not with a locality: then null). Counts only, as {@link ReportedCount}s;
 * shares and durations withheld beside small counts. The counts are added up from the window's daily buckets, the
 * times to the first step from at most 33 running-sum nodes per locality.
 */
@RestController
@RequestMapping("/api/progression")
class LearnerSupportReports {

    private final FactStore store;
    private final Generations generations;
    private final Clock clock;

    LearnerSupportReports(FactStore store, Generations generations, Clock clock) {
        this.store = store;
        this.generations = generations;
        this.clock = clock;
    }

    record PlanSteps(ReportedCount added, ReportedCount open, ReportedCount done, ReportedCount dropped) {
    }

    record LearnerSupportReport(LocalDate from, LocalDate to, String localityCode, ReportedCount registered,
                                ReportedCount withLead, ReportedCount withPlan, ReportedCount withLeadAndPlan,
                                Double shareWithLead, Double shareWithPlan, Double shareWithLeadAndPlan,
                                DurationSummary registrationToFirstPlanStep, PlanSteps planSteps) {
    }

    @GetMapping("/learner-support")
    LearnerSupportReport report(Caller caller,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @RequestParam(required = false) @ResourceId String localityCode) {
        Audience.partnership(caller);
        ReportWindow window = ReportWindow.of(from, to, clock);
        long registered = 0;
        long withLead = 0;
        long withPlan = 0;
        long both = 0;
        DurationSketch toFirstStep = new DurationSketch();
        for (Document bucket : store.buckets(generations.active(), LearnerProjection.SUPPORT, window.from(),
                window.to())) {
            if (localityCode != null && !localityCode.equals(bucket.getString("locality"))) {
                continue;
            }
            registered += count(bucket, "registered");
            withLead += count(bucket, "withLead");
            withPlan += count(bucket, "withPlan");
            both += count(bucket, "withLeadAndPlan");
        }
        // The times to the first step, from running sums over days by locality (LearnerProjection.SUPPORT_TIMES):
        // none is read from the daily buckets (a generation derived before they moved is rebuilt at start).
        for (Document sums : store.runningSums(generations.active(), LearnerProjection.SUPPORT_TIMES_ROLL_UP,
                window.from(), window.to())) {
            if (localityCode == null || localityCode.equals(sums.getString("locality"))) {
                toFirstStep.add(sums.get("toFirstStep", Document.class));
            }
        }
        long[] steps = new long[4];
        if (localityCode == null) {
            for (Document bucket : store.buckets(generations.active(), LearnerProjection.PLAN_STEPS, window.from(),
                    window.to())) {
                steps[0] += count(bucket, "added");
                steps[1] += count(bucket, "open");
                steps[2] += count(bucket, "done");
                steps[3] += count(bucket, "dropped");
            }
        }
        ReportedCount all = ReportedCount.of(registered);
        ReportedCount lead = ReportedCount.of(withLead);
        ReportedCount plan = ReportedCount.of(withPlan);
        ReportedCount leadAndPlan = ReportedCount.of(both);
        return new LearnerSupportReport(window.from(), window.to(), localityCode, all, lead, plan, leadAndPlan,
                ReportedCount.rate(lead, all), ReportedCount.rate(plan, all), ReportedCount.rate(leadAndPlan, all),
                DurationSummary.of(toFirstStep), localityCode != null ? null : new PlanSteps(ReportedCount.of(steps[0]),
                ReportedCount.of(steps[1]), ReportedCount.of(steps[2]), ReportedCount.of(steps[3])));
    }

    private static long count(Document bucket, String field) {
        return bucket.get(field) instanceof Number n ? n.longValue() : 0;
    }
}
