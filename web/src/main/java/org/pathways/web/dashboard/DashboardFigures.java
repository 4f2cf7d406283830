package org.pathways.web.dashboard;

import static java.util.concurrent.CompletableFuture.supplyAsync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.net.URI;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriBuilder;

import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.PathwaysApi;
import org.pathways.web.page.Counts;

/**
 * The partnership's figures for one choice of filters, read through the gateway with the coordinator's token from
 * the progression-service (funnel, flows, response times, milestones) and the catalogue (agency and opportunity
 * names, for labels and the filter lists). Only ids, codes, counts and durations come back from those reports: a
 * coordinator's dashboard holds no personal data because none is asked for. Counts stay as the API gave them (a
 * number, or {@code "<5"}).
 */
@Component
public class DashboardFigures {

    public static final List<String> STAGES = List.of("submitted", "received", "accepted", "started", "completed");
    public static final List<String> CLOSED = List.of("rejected", "failed", "cancelled", "onHold");
    static final List<String> STEPS = List.of("submittedToReceived", "receivedToAccepted", "acceptedToStarted",
            "startedToCompleted", "submittedToCompleted");

    /** One period of the funnel: its first day and the count at every stage, as the API gave them. */
    record FunnelRow(String periodStart, Map<String, Object> counts) {
    }

    /** A step of the funnel over the whole period: the share that went on and the share that dropped off. */
    record StepRow(String step, Object conversion, Object dropOff) {
    }

    /** Referrals that closed without completing, by outcome and reason code. */
    record ReasonRow(String outcome, String reason, Object count) {
    }

    record FlowRow(String fromId, String from, String toId, String to, Object submitted) {
    }

    record ResponseRow(String agencyId, String agency, Object acknowledgeCount, Object acknowledgeMedian,
                       Object acknowledgeP90, Object decisionCount, Object decisionMedian, Object decisionP90,
                       Object overdueAcknowledge, Object overdueDecide) {
    }

    /** A count of milestones in a group (a locality, a pathway step, or none), of one kind and learning kind. */
    record MilestoneRow(String groupId, String group, String milestone, String learningKind, Object count) {
    }

    record Option(String value, String label) {
    }

    /** The funnel's total for one group of the chosen cut (an agency, a kind, a locality). */
    record GroupRow(String groupId, String group, Map<String, Object> counts, Object conversion) {
    }

    /** A pathway step (opportunity): referred to it, moved on to a next step, stopped; the next steps taken. */
    record JourneyRow(String opportunityId, String step, Object referred, Object completed, Object movedOn,
                      Object stoppedAfterCompleting, Object stoppedWithoutCompleting, Object movedOnRate,
                      List<NextStepRow> nextSteps) {
    }

    record NextStepRow(String opportunityId, String step, Object referrals) {
    }

    /** Learners who moved up from one learning kind to a higher one (INFORMAL->NON_FORMAL, ...). */
    record MoveRow(String move, String fromKind, String toKind, Object learners) {
    }

    /** Rejections for want of a place or of eligibility in a locality, for a kind of opportunity. */
    record GapRow(String locality, String kind, Object referred, Object noCapacity, Object notEligible) {
    }

    /**
     * One agency's webhook deliveries: delivered first time, after retries, parked; how long delivery took (median
     * and p90 in milliseconds, null when withheld over a small count or not known).
     */
    record DeliveryRow(String agencyId, String agency, Object delivered, Object deliveredFirstTime,
                       Object deliveredAfterRetries, Object parked, Object recoveredAfterParking,
                       Object firstTimeRate, Object parkedRate, Object toDeliverMedianMs, Object toDeliverP90Ms) {
    }

    /** Learners registered in the window with a lead worker, a plan, both; time to the first plan step. */
    record SupportFigures(Object registered, Object withLead, Object withPlan, Object withLeadAndPlan,
                          Object shareWithLead, Object shareWithPlan, Object shareWithLeadAndPlan,
                          Object toFirstStepCount, Object toFirstStepMedian, Object toFirstStepP90,
                          Object stepsAdded, Object stepsOpen, Object stepsDone, Object stepsDropped) {
    }

    /**
     * The reports that cut across agencies, for coordinators only (the API answers anyone else 403, and then the
     * page leaves these sections out: {@code null}).
     */
    record PartnershipFigures(List<JourneyRow> journeys, Map<String, Object> achievements, List<MoveRow> moves,
                              Object noCapacity, Object notEligible, List<GapRow> gaps,
                              List<DeliveryRow> deliveries, SupportFigures support) {
    }

    static final List<String> MOVES = List.of("INFORMAL->NON_FORMAL", "INFORMAL->FORMAL", "NON_FORMAL->FORMAL");

    record Figures(DashboardFilters filters, List<FunnelRow> funnel, Map<String, Object> funnelTotal,
                   List<StepRow> steps, List<ReasonRow> reasons, List<FlowRow> flows, List<ResponseRow> responseTimes,
                   Object milestoneTotal, List<MilestoneRow> byMilestone, List<MilestoneRow> byLocality,
                   List<MilestoneRow> byOpportunity, List<Option> agencies,
                   List<Option> opportunities, List<String> localities, PartnershipFigures partnership,
                   List<GroupRow> groups) {
    }

    private final PathwaysApi api;
    private final MessageSource messages;

    DashboardFigures(PathwaysApi api, MessageSource messages) {
        this.api = api;
        this.messages = messages;
    }

    Figures read(DashboardFilters filters) {
        // Six independent reports: asked for at once, so the page waits for the slowest, not for their sum.
        Executor calls = api.concurrentCalls();
        CompletableFuture<Map<String, String>> agencyNamesCall = supplyAsync(this::agencyNames, calls);
        CompletableFuture<Map<String, String>> opportunityTitlesCall = supplyAsync(this::opportunityTitles, calls);
        CompletableFuture<Map<String, Object>> funnelCall = supplyAsync(() -> api.get(uri -> uri
                .path("/api/progression/funnel")
                .queryParam("period", filters.period()).queryParam("from", filters.from())
                .queryParam("to", filters.to())
                .queryParamIfPresent("receivingAgencyId", java.util.Optional.ofNullable(filters.agency()))
                .queryParamIfPresent("opportunityKind", java.util.Optional.ofNullable(filters.kind()))
                .queryParamIfPresent("localityCode", Optional.ofNullable(filters.locality()))
                .queryParamIfPresent("groupBy", Optional.ofNullable(filters.groupBy())).build()),
                calls);
        CompletableFuture<Map<String, Object>> summaryCall = supplyAsync(() -> api.get("/api/progression/summary"),
                calls);
        CompletableFuture<Map<String, Object>> timesCall = supplyAsync(() -> api.get(uri -> uri
                .path("/api/progression/response-times")
                .queryParam("from", filters.from()).queryParam("to", filters.to())
                .queryParamIfPresent("receivingAgencyId", java.util.Optional.ofNullable(filters.agency())).build()),
                calls);
        CompletableFuture<Map<String, Object>> milestonesCall = supplyAsync(() -> api.get(uri -> uri
                .path("/api/progression/milestones")
                .queryParam("from", filters.from()).queryParam("to", filters.to())
                .queryParamIfPresent("localityCode", java.util.Optional.ofNullable(filters.locality()))
                .queryParamIfPresent("opportunityId", java.util.Optional.ofNullable(filters.opportunity()))
                .queryParamIfPresent("learningKind", java.util.Optional.ofNullable(filters.learningKind())).build()),
                calls);
        // the partnership-wide reports: coordinators only (null for anyone the API refuses them to)
        CompletableFuture<Map<String, Object>> journeysCall = supplyAsync(() -> coordinatorsOnly(uri -> uri
                .path("/api/progression/journeys")
                .queryParam("from", filters.from()).queryParam("to", filters.to())
                .queryParamIfPresent("opportunityId", Optional.ofNullable(filters.opportunity())).build()), calls);
        CompletableFuture<Map<String, Object>> learningCall = supplyAsync(() -> coordinatorsOnly(uri -> uri
                .path("/api/progression/learning-progression")
                .queryParam("period", filters.period()).queryParam("from", filters.from())
                .queryParam("to", filters.to())
                .queryParamIfPresent("localityCode", Optional.ofNullable(filters.locality())).build()), calls);
        CompletableFuture<Map<String, Object>> missingCall = supplyAsync(() -> coordinatorsOnly(uri -> uri
                .path("/api/progression/missing-provision")
                .queryParam("from", filters.from()).queryParam("to", filters.to())
                .queryParamIfPresent("opportunityKind", Optional.ofNullable(filters.kind()))
                .queryParamIfPresent("localityCode", Optional.ofNullable(filters.locality())).build()), calls);
        CompletableFuture<Map<String, Object>> deliveryCall = supplyAsync(() -> coordinatorsOnly(uri -> uri
                .path("/api/progression/delivery-health")
                .queryParam("from", filters.from()).queryParam("to", filters.to()).build()), calls);
        CompletableFuture<Map<String, Object>> supportCall = supplyAsync(() -> coordinatorsOnly(uri -> uri
                .path("/api/progression/learner-support")
                .queryParam("from", filters.from()).queryParam("to", filters.to())
                .queryParamIfPresent("localityCode", Optional.ofNullable(filters.locality())).build()), calls);
        CompletableFuture.allOf(agencyNamesCall, opportunityTitlesCall, funnelCall, summaryCall, timesCall,
                milestonesCall, journeysCall, learningCall, missingCall, deliveryCall, supportCall)
                .exceptionally(failed -> null).join();
        Map<String, String> agencyNames = PathwaysApi.await(agencyNamesCall);
        Map<String, String> opportunityTitles = PathwaysApi.await(opportunityTitlesCall);
        Map<String, Object> funnel = PathwaysApi.await(funnelCall);
        Map<String, Object> summary = PathwaysApi.await(summaryCall);
        Map<String, Object> times = PathwaysApi.await(timesCall);
        Map<String, Object> milestones = PathwaysApi.await(milestonesCall);

        List<FunnelRow> rows = new ArrayList<>();
        for (Map<String, Object> period : maps(funnel.get("periods"))) {
            rows.add(new FunnelRow(String.valueOf(period.get("periodStart")), countsOf(period)));
        }
        Map<String, Object> total = map(funnel.get("total"));
        List<StepRow> steps = new ArrayList<>();
        Map<String, Object> conversion = map(total.get("conversion"));
        Map<String, Object> dropOff = map(total.get("dropOff"));
        for (String step : STEPS) {
            steps.add(new StepRow(step, conversion.get(step), dropOff.get(step)));
        }
        List<ReasonRow> reasons = new ArrayList<>();
        for (String outcome : List.of("rejected", "failed", "cancelled")) {
            map(total.get(outcome + "ByReason")).forEach((reason, count) ->
                    reasons.add(new ReasonRow(outcome, reason, count)));
        }

        List<FlowRow> flows = new ArrayList<>();
        for (Map<String, Object> flow : maps(summary.get("referralFlows"))) {
            String from = String.valueOf(flow.get("from"));
            String to = String.valueOf(flow.get("to"));
            if (filters.agency() != null && !filters.agency().equals(to) && !filters.agency().equals(from)) {
                continue;
            }
            flows.add(new FlowRow(from, agencyNames.getOrDefault(from, from), to, agencyNames.getOrDefault(to, to),
                    flow.get("submitted")));
        }

        List<ResponseRow> responseTimes = new ArrayList<>();
        for (Map<String, Object> agency : maps(times.get("agencies"))) {
            String id = String.valueOf(agency.get("receivingAgencyId"));
            Map<String, Object> acknowledge = map(agency.get("acknowledge"));
            Map<String, Object> decision = map(agency.get("decision"));
            responseTimes.add(new ResponseRow(id, agencyNames.getOrDefault(id, id), acknowledge.get("count"),
                    acknowledge.get("medianSeconds"), acknowledge.get("p90Seconds"), decision.get("count"),
                    decision.get("medianSeconds"), decision.get("p90Seconds"), agency.get("overdueAcknowledge"),
                    agency.get("overdueDecide")));
        }

        List<MilestoneRow> byLocality = milestoneRows(milestones.get("byLocality"), Map.of());
        List<MilestoneRow> byOpportunity = milestoneRows(milestones.get("byOpportunity"), opportunityTitles);

        TreeSet<String> localities = new TreeSet<>();
        byLocality.forEach(row -> localities.add(row.groupId()));
        localities.remove("UNKNOWN");
        if (filters.locality() != null) {
            localities.add(filters.locality());
        }
        List<Option> agencies = agencyNames.entrySet().stream().map(e -> new Option(e.getKey(), e.getValue()))
                .sorted(java.util.Comparator.comparing(Option::label)).toList();
        List<Option> opportunities = opportunityTitles.entrySet().stream()
                .map(e -> new Option(e.getKey(), e.getValue()))
                .sorted(java.util.Comparator.comparing(Option::label)).toList();
        PartnershipFigures partnership = partnership(PathwaysApi.await(journeysCall), PathwaysApi.await(learningCall),
                PathwaysApi.await(missingCall), PathwaysApi.await(deliveryCall), PathwaysApi.await(supportCall),
                agencyNames, opportunityTitles);
        List<GroupRow> groups = new ArrayList<>();
        for (Map<String, Object> group : maps(funnel.get("groups"))) {
            String id = String.valueOf(group.get("group"));
            Map<String, Object> groupTotal = map(map(group.get("funnel")).get("total"));
            if (groupTotal.isEmpty()) {
                groupTotal = map(group.get("funnel"));
            }
            String label = filters.groupBy().endsWith("_AGENCY") ? agencyNames.getOrDefault(id, id) : id;
            groups.add(new GroupRow(id, label, countsOf(groupTotal),
                    map(groupTotal.get("conversion")).get("submittedToCompleted")));
        }
        return new Figures(filters, rows, countsOf(total), steps, reasons, flows, responseTimes,
                milestones.get("total"), milestoneRows(milestones.get("byMilestone"), Map.of()), byLocality,
                byOpportunity, agencies, opportunities, List.copyOf(localities), partnership, groups);
    }

    /** A report only coordinators may read: null when the API refuses it to this person (403), so it is left out. */
    private Map<String, Object> coordinatorsOnly(java.util.function.Function<UriBuilder, URI> uri) {
        try {
            return api.get(uri);
        } catch (ApiProblem refused) {
            if (refused.status().value() == 403) {
                return null;
            }
            throw refused;
        }
    }

    private static PartnershipFigures partnership(Map<String, Object> journeys, Map<String, Object> learning,
                                                  Map<String, Object> missing, Map<String, Object> delivery,
                                                  Map<String, Object> support, Map<String, String> agencyNames,
                                                  Map<String, String> titles) {
        if (journeys == null || learning == null || missing == null || delivery == null || support == null) {
            return null;
        }
        List<JourneyRow> journeyRows = new ArrayList<>();
        for (Map<String, Object> step : maps(journeys.get("steps"))) {
            String id = String.valueOf(step.get("opportunityId"));
            List<NextStepRow> next = new ArrayList<>();
            for (Map<String, Object> nextStep : maps(step.get("nextSteps"))) {
                String nextId = String.valueOf(nextStep.get("opportunityId"));
                next.add(new NextStepRow(nextId, titles.getOrDefault(nextId, nextId), nextStep.get("referrals")));
            }
            journeyRows.add(new JourneyRow(id, titles.getOrDefault(id, id), step.get("referred"),
                    step.get("completed"), step.get("movedOn"), step.get("stoppedAfterCompleting"),
                    step.get("stoppedWithoutCompleting"), step.get("movedOnRate"), next));
        }
        Map<String, Object> achievements = new LinkedHashMap<>();
        Map<String, Object> givenAchievements = map(learning.get("achievements"));
        for (String kind : List.of("INFORMAL", "NON_FORMAL", "FORMAL")) {
            achievements.put(kind, givenAchievements.get(kind));
        }
        Map<String, Object> givenMoves = map(learning.get("moves"));
        List<MoveRow> moves = MOVES.stream().map(move -> new MoveRow(move, move.substring(0, move.indexOf("->")),
                move.substring(move.indexOf("->") + 2), givenMoves.get(move))).toList();
        List<GapRow> gaps = new ArrayList<>();
        for (Map<String, Object> gap : maps(missing.get("gaps"))) {
            gaps.add(new GapRow(String.valueOf(gap.get("localityCode")), String.valueOf(gap.get("opportunityKind")),
                    gap.get("referred"), gap.get("noCapacity"), gap.get("notEligible")));
        }
        List<DeliveryRow> deliveries = new ArrayList<>();
        for (Map<String, Object> agency : maps(delivery.get("agencies"))) {
            String id = String.valueOf(agency.get("agencyId"));
            Map<String, Object> toDeliver = map(agency.get("timeToDeliver"));
            deliveries.add(new DeliveryRow(id, agencyNames.getOrDefault(id, id), agency.get("delivered"),
                    agency.get("deliveredFirstTime"), agency.get("deliveredAfterRetries"), agency.get("parked"),
                    agency.get("recoveredAfterParking"), agency.get("firstTimeRate"), agency.get("parkedRate"),
                    toDeliver.get("medianMs"), toDeliver.get("p90Ms")));
        }
        Map<String, Object> toFirstStep = map(support.get("registrationToFirstPlanStep"));
        Map<String, Object> planSteps = map(support.get("planSteps"));
        SupportFigures supportFigures = new SupportFigures(support.get("registered"), support.get("withLead"),
                support.get("withPlan"), support.get("withLeadAndPlan"), support.get("shareWithLead"),
                support.get("shareWithPlan"), support.get("shareWithLeadAndPlan"), toFirstStep.get("count"),
                toFirstStep.get("medianSeconds"), toFirstStep.get("p90Seconds"), planSteps.get("added"),
                planSteps.get("open"), planSteps.get("done"), planSteps.get("dropped"));
        return new PartnershipFigures(journeyRows, achievements, moves, missing.get("noCapacity"),
                missing.get("notEligible"), gaps, deliveries, supportFigures);
    }

    private Map<String, String> agencyNames() {
        Map<String, String> names = new TreeMap<>();
        for (Map<String, Object> agency : api.list("/api/agencies")) {
            names.put(String.valueOf(agency.get("id")), String.valueOf(agency.get("name")));
        }
        return names;
    }

    private Map<String, String> opportunityTitles() {
        Map<String, String> titles = new LinkedHashMap<>();
        Map<String, Object> page = api.get(uri -> uri.path("/api/opportunities").queryParam("limit", 100).build());
        for (Map<String, Object> opportunity : maps(page.get("items"))) {
            titles.put(String.valueOf(opportunity.get("id")), String.valueOf(opportunity.get("title")));
        }
        return titles;
    }

    private List<MilestoneRow> milestoneRows(Object counts, Map<String, String> labels) {
        List<MilestoneRow> rows = new ArrayList<>();
        for (Map<String, Object> count : maps(counts)) {
            Object group = count.get("group");
            String id = group == null ? "" : group.toString();
            rows.add(new MilestoneRow(id, labels.getOrDefault(id, id), String.valueOf(count.get("milestone")),
                    String.valueOf(count.get("learningKind")), count.get("count")));
        }
        return rows;
    }

    private static Map<String, Object> countsOf(Map<String, Object> period) {
        Map<String, Object> counts = new LinkedHashMap<>();
        STAGES.forEach(stage -> counts.put(stage, period.get(stage)));
        CLOSED.forEach(stage -> counts.put(stage, period.get(stage)));
        return counts;
    }

    // ---- charts: a small description of each, which dashboard.js turns into ECharts options ----

    Map<String, Object> funnelChart(Figures figures) {
        List<String> categories = figures.funnel().stream().map(FunnelRow::periodStart).toList();
        List<Map<String, Object>> series = new ArrayList<>();
        for (String stage : STAGES) {
            series.add(Map.of("name", text("dashboard.stage." + stage),
                    "data", figures.funnel().stream().map(row -> Counts.numeric(row.counts().get(stage))).toList()));
        }
        return chart("bars", text("dashboard.funnel.title"), categories, series, false);
    }

    Map<String, Object> conversionChart(Figures figures) {
        List<Map<String, Object>> data = new ArrayList<>();
        for (String stage : STAGES) {
            Long value = Counts.numeric(figures.funnelTotal().get(stage));
            data.add(mapOf("name", text("dashboard.stage." + stage), "value", value));
        }
        return Map.of("type", "funnel", "title", text("dashboard.conversion.title"), "data", data);
    }

    Map<String, Object> flowsChart(Figures figures) {
        List<Map<String, Object>> nodes = new ArrayList<>();
        List<Map<String, Object>> links = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>();
        String referring = text("dashboard.flows.referring");
        String receiving = text("dashboard.flows.receiving");
        for (FlowRow flow : figures.flows()) {
            Long value = Counts.numeric(flow.submitted());
            // A Sankey must not loop: each agency appears once as a referrer (left) and once as a receiver (right).
            String source = flow.from() + " (" + referring + ")";
            String target = flow.to() + " (" + receiving + ")";
            names.add(source);
            names.add(target);
            // a suppressed flow is drawn at the least width, and labelled as the API gave it
            links.add(mapOf("source", source, "target", target, "value", value == null ? 1 : value,
                    "label", value == null ? String.valueOf(flow.submitted()) : null));
        }
        names.forEach(name -> nodes.add(Map.of("name", name)));
        return Map.of("type", "sankey", "title", text("dashboard.flows.title"), "nodes", nodes, "links", links);
    }

    Map<String, Object> responseChart(Figures figures) {
        List<String> categories = figures.responseTimes().stream().map(ResponseRow::agency).toList();
        List<Map<String, Object>> series = List.of(
                Map.of("name", text("dashboard.response.acknowledgeMedianHours"), "data", figures.responseTimes()
                        .stream().map(row -> hours(row.acknowledgeMedian())).toList()),
                Map.of("name", text("dashboard.response.decisionMedianHours"), "data", figures.responseTimes()
                        .stream().map(row -> hours(row.decisionMedian())).toList()),
                Map.of("name", text("dashboard.response.overdue"), "data", figures.responseTimes().stream()
                        .map(row -> sum(row.overdueAcknowledge(), row.overdueDecide())).toList()));
        return chart("bars", text("dashboard.response.title"), categories, series, false);
    }

    Map<String, Object> milestonesChart(Figures figures) {
        TreeSet<String> groups = new TreeSet<>();
        TreeSet<String> kinds = new TreeSet<>();
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        for (MilestoneRow row : figures.byLocality()) {
            groups.add(row.group());
            String kind = text("milestone." + row.milestone());
            kinds.add(kind);
            Long value = Counts.numeric(row.count());
            if (value != null) {
                counts.computeIfAbsent(kind, k -> new TreeMap<>()).merge(row.group(), value, Long::sum);
            }
        }
        List<String> categories = List.copyOf(groups);
        List<Map<String, Object>> series = new ArrayList<>();
        for (String kind : kinds) {
            Map<String, Long> byGroup = counts.getOrDefault(kind, Map.of());
            series.add(Map.of("name", kind, "data", categories.stream().map(byGroup::get).toList()));
        }
        return chart("bars", text("dashboard.milestones.byLocality"), categories, series, true);
    }

    Map<String, Object> journeysChart(Figures figures) {
        List<JourneyRow> rows = figures.partnership().journeys();
        List<String> categories = rows.stream().map(JourneyRow::step).toList();
        List<Map<String, Object>> series = List.of(
                Map.of("name", text("dashboard.journeys.movedOn"), "data",
                        rows.stream().map(row -> Counts.numeric(row.movedOn())).toList()),
                Map.of("name", text("dashboard.journeys.stoppedAfterCompleting"), "data",
                        rows.stream().map(row -> Counts.numeric(row.stoppedAfterCompleting())).toList()),
                Map.of("name", text("dashboard.journeys.stoppedWithoutCompleting"), "data",
                        rows.stream().map(row -> Counts.numeric(row.stoppedWithoutCompleting())).toList()));
        return chart("bars", text("dashboard.journeys.title"), categories, series, true);
    }

    Map<String, Object> learningChart(Figures figures) {
        List<MoveRow> rows = figures.partnership().moves();
        List<String> categories = rows.stream().map(row -> text("dashboard.learning.move",
                text("learningKind." + row.fromKind()), text("learningKind." + row.toKind()))).toList();
        List<Map<String, Object>> series = List.of(Map.of("name", text("dashboard.learning.learners"), "data",
                rows.stream().map(row -> Counts.numeric(row.learners())).toList()));
        return chart("bars", text("dashboard.learning.title"), categories, series, false);
    }

    Map<String, Object> missingChart(Figures figures) {
        List<GapRow> rows = figures.partnership().gaps();
        List<String> categories = rows.stream().map(row -> ("UNKNOWN".equals(row.locality())
                ? text("dashboard.unknown") : row.locality()) + " · " + text("opportunityKind." + row.kind()))
                .toList();
        List<Map<String, Object>> series = List.of(
                Map.of("name", text("dashboard.missing.noCapacity"), "data",
                        rows.stream().map(row -> Counts.numeric(row.noCapacity())).toList()),
                Map.of("name", text("dashboard.missing.notEligible"), "data",
                        rows.stream().map(row -> Counts.numeric(row.notEligible())).toList()));
        return chart("bars", text("dashboard.missing.title"), categories, series, true);
    }

    Map<String, Object> deliveryChart(Figures figures) {
        List<DeliveryRow> rows = figures.partnership().deliveries();
        List<String> categories = rows.stream().map(DeliveryRow::agency).toList();
        List<Map<String, Object>> series = List.of(
                Map.of("name", text("dashboard.delivery.firstTime"), "data",
                        rows.stream().map(row -> Counts.numeric(row.deliveredFirstTime())).toList()),
                Map.of("name", text("dashboard.delivery.afterRetries"), "data",
                        rows.stream().map(row -> Counts.numeric(row.deliveredAfterRetries())).toList()),
                Map.of("name", text("dashboard.delivery.parked"), "data",
                        rows.stream().map(row -> Counts.numeric(row.parked())).toList()));
        return chart("bars", text("dashboard.delivery.title"), categories, series, true);
    }

    Map<String, Object> supportChart(Figures figures) {
        SupportFigures support = figures.partnership().support();
        List<String> categories = List.of(text("dashboard.support.registered"), text("dashboard.support.withLead"),
                text("dashboard.support.withPlan"), text("dashboard.support.withLeadAndPlan"));
        List<Long> data = java.util.stream.Stream.of(support.registered(), support.withLead(), support.withPlan(),
                support.withLeadAndPlan()).map(Counts::numeric).toList();
        List<Map<String, Object>> series = List.of(Map.of("name", text("dashboard.support.learners"), "data", data));
        return chart("bars", text("dashboard.support.title"), categories, series, false);
    }

    private static Map<String, Object> chart(String type, String title, List<String> categories,
                                             List<Map<String, Object>> series, boolean stacked) {
        return Map.of("type", type, "title", title, "categories", categories, "series", series, "stacked", stacked);
    }

    private static Double hours(Object seconds) {
        return seconds instanceof Number number ? Math.round(number.doubleValue() / 360.0) / 10.0 : null;
    }

    private static Long sum(Object first, Object second) {
        Long a = Counts.numeric(first);
        Long b = Counts.numeric(second);
        return a == null || b == null ? null : a + b;
    }

    private static Map<String, Object> mapOf(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    String text(String code, Object... arguments) {
        Locale locale = LocaleContextHolder.getLocale();
        return messages.getMessage(code, arguments, code, locale);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> maps(Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        List<Map<String, Object>> maps = new ArrayList<>();
        for (Object item : list) {
            if (item instanceof Map<?, ?> map) {
                maps.add((Map<String, Object>) map);
            }
        }
        return maps;
    }
}
