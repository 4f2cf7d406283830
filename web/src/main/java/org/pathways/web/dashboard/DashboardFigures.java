package org.pathways.web.dashboard;

import static java.util.concurrent.CompletableFuture.supplyAsync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;

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

    record Figures(DashboardFilters filters, List<FunnelRow> funnel, Map<String, Object> funnelTotal,
                   List<StepRow> steps, List<ReasonRow> reasons, List<FlowRow> flows, List<ResponseRow> responseTimes,
                   Object milestoneTotal, List<MilestoneRow> byMilestone, List<MilestoneRow> byLocality,
                   List<MilestoneRow> byOpportunity, List<Option> agencies,
                   List<Option> opportunities, List<String> localities) {
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
                .queryParamIfPresent("opportunityKind", java.util.Optional.ofNullable(filters.kind())).build()),
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
        CompletableFuture.allOf(agencyNamesCall, opportunityTitlesCall, funnelCall, summaryCall, timesCall,
                milestonesCall).exceptionally(failed -> null).join();
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
        return new Figures(filters, rows, countsOf(total), steps, reasons, flows, responseTimes,
                milestones.get("total"), milestoneRows(milestones.get("byMilestone"), Map.of()), byLocality,
                byOpportunity, agencies, opportunities, List.copyOf(localities));
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

    String text(String code) {
        Locale locale = LocaleContextHolder.getLocale();
        return messages.getMessage(code, null, code, locale);
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
