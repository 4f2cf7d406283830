package org.pathways.web.dashboard;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import org.pathways.web.dashboard.DashboardFigures.Figures;
import org.pathways.web.page.Dates;

import tools.jackson.databind.json.JsonMapper;

/**
 * The partnership dashboard: referral funnel by week with conversion and drop-off, flows between agencies, response
 * times with overdue counts, milestones by locality, learning kind and pathway step; every chart beside its table,
 * every table downloadable as CSV, and the figures refreshed without a reload when the progression-service says they
 * changed ({@code /dashboard/live}, its server-sent events relayed with the coordinator's token). Who sees what is
 * the API's decision: a coordinator the whole partnership, an agency's worker only what their agency is party to.
 */
@Controller
@RequestMapping("/dashboard")
class DashboardController {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final List<String> TABLES = List.of("funnel", "conversion", "reasons", "flows", "response-times",
            "milestones", "journeys", "learning-progression", "missing-provision", "delivery-health",
            "learner-support", "funnel-groups");
    /** Tables of the reports that cut across agencies: coordinators only. */
    static final List<String> PARTNERSHIP_TABLES = TABLES.subList(6, 11);

    private final DashboardFigures figures;
    private final LiveRelay live;

    DashboardController(DashboardFigures figures, LiveRelay live) {
        this.figures = figures;
        this.live = live;
    }

    @GetMapping
    String dashboard(@RequestParam Map<String, String> parameters, Model model) {
        DashboardFilters filters = filters(parameters);
        model.addAttribute("datesAdjusted", filters.adjusted(parameters.get("from"), parameters.get("to")));
        fill(model, filters);
        return "dashboard";
    }

    /** The figures alone, for the live refresh (htmx swaps them in place). */
    @GetMapping("/figures")
    String figuresOnly(@RequestParam Map<String, String> parameters, Model model) {
        fill(model, filters(parameters));
        return "dashboard :: figures";
    }

    @GetMapping(value = "/{table}.csv")
    ResponseEntity<StreamingResponseBody> csv(@PathVariable String table, @RequestParam Map<String, String> parameters) {
        if (!TABLES.contains(table)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        DashboardFilters filters = filters(parameters);
        List<String> header;
        Figures read = figures.read(filters);
        if (PARTNERSHIP_TABLES.contains(table) && read.partnership() == null) {
            // the API refused this person the partnership-wide reports: as if there were no such table
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        DashboardFigures.PartnershipFigures partnership = read.partnership();
        List<List<Object>> rows = new java.util.ArrayList<>();
        switch (table) {
            case "funnel" -> {
                header = new java.util.ArrayList<>(List.of("period_start"));
                header.addAll(DashboardFigures.STAGES);
                header.addAll(DashboardFigures.CLOSED.stream().map(DashboardController::snake).toList());
                for (DashboardFigures.FunnelRow row : read.funnel()) {
                    List<Object> line = new java.util.ArrayList<>(List.of(row.periodStart()));
                    line.addAll(row.counts().values());
                    rows.add(line);
                }
            }
            case "conversion" -> {
                header = List.of("step", "conversion", "drop_off");
                read.steps().forEach(step -> rows.add(List.of(snake(step.step()), orEmpty(step.conversion()),
                        orEmpty(step.dropOff()))));
            }
            case "reasons" -> {
                header = List.of("outcome", "reason", "referrals");
                read.reasons().forEach(reason -> rows.add(List.of(reason.outcome(), reason.reason(),
                        orEmpty(reason.count()))));
            }
            case "flows" -> {
                header = List.of("referring_agency_id", "referring_agency", "receiving_agency_id", "receiving_agency",
                        "referrals_submitted");
                read.flows().forEach(flow -> rows.add(List.of(flow.fromId(), flow.from(), flow.toId(), flow.to(),
                        orEmpty(flow.submitted()))));
            }
            case "response-times" -> {
                header = List.of("receiving_agency_id", "receiving_agency", "acknowledged", "acknowledge_median_seconds",
                        "acknowledge_p90_seconds", "decided", "decision_median_seconds", "decision_p90_seconds",
                        "overdue_acknowledge", "overdue_decide");
                read.responseTimes().forEach(row -> rows.add(List.of(row.agencyId(), row.agency(),
                        orEmpty(row.acknowledgeCount()), orEmpty(row.acknowledgeMedian()),
                        orEmpty(row.acknowledgeP90()), orEmpty(row.decisionCount()), orEmpty(row.decisionMedian()),
                        orEmpty(row.decisionP90()), orEmpty(row.overdueAcknowledge()),
                        orEmpty(row.overdueDecide()))));
            }
            case "milestones" -> {
                header = List.of("grouped_by", "group_id", "group", "milestone", "learning_kind", "milestones");
                read.byMilestone().forEach(row -> rows.add(List.of("all", "", "", row.milestone(), row.learningKind(),
                        orEmpty(row.count()))));
                read.byLocality().forEach(row -> rows.add(List.of("locality", row.groupId(), row.group(),
                        row.milestone(), row.learningKind(), orEmpty(row.count()))));
                read.byOpportunity().forEach(row -> rows.add(List.of("pathway_step", row.groupId(), row.group(),
                        row.milestone(), row.learningKind(), orEmpty(row.count()))));
            }
            case "funnel-groups" -> {
                header = new java.util.ArrayList<>(List.of("grouped_by", "group_id", "group"));
                header.addAll(DashboardFigures.STAGES);
                header.addAll(DashboardFigures.CLOSED.stream().map(DashboardController::snake).toList());
                header.add("conversion_submitted_to_completed");
                for (DashboardFigures.GroupRow row : read.groups()) {
                    List<Object> line = new java.util.ArrayList<>(List.of(snake(filters.groupBy()), row.groupId(),
                            row.group()));
                    row.counts().values().forEach(count -> line.add(orEmpty(count)));
                    line.add(orEmpty(row.conversion()));
                    rows.add(line);
                }
            }
            case "journeys" -> {
                header = List.of("opportunity_id", "pathway_step", "referred", "completed", "moved_on",
                        "stopped_after_completing", "stopped_without_completing", "moved_on_rate",
                        "next_step_opportunity_id", "next_step", "next_step_referrals");
                for (DashboardFigures.JourneyRow row : partnership.journeys()) {
                    List<Object> step = List.of(row.opportunityId(), row.step(), orEmpty(row.referred()),
                            orEmpty(row.completed()), orEmpty(row.movedOn()), orEmpty(row.stoppedAfterCompleting()),
                            orEmpty(row.stoppedWithoutCompleting()), orEmpty(row.movedOnRate()));
                    if (row.nextSteps().isEmpty()) {
                        List<Object> line = new java.util.ArrayList<>(step);
                        line.addAll(List.of("", "", ""));
                        rows.add(line);
                    }
                    // one line per next step, the step's own figures repeated (a flat table for a spreadsheet)
                    for (DashboardFigures.NextStepRow next : row.nextSteps()) {
                        List<Object> line = new java.util.ArrayList<>(step);
                        line.addAll(List.of(next.opportunityId(), next.step(), orEmpty(next.referrals())));
                        rows.add(line);
                    }
                }
            }
            case "learning-progression" -> {
                header = List.of("figure", "learning_kind", "to_learning_kind", "count");
                partnership.achievements().forEach((kind, count) -> rows.add(List.of("achievements", kind, "",
                        orEmpty(count))));
                partnership.moves().forEach(move -> rows.add(List.of("learners_moving_up", move.fromKind(),
                        move.toKind(), orEmpty(move.learners()))));
            }
            case "missing-provision" -> {
                header = List.of("locality", "opportunity_kind", "referred", "rejected_no_capacity",
                        "rejected_not_eligible");
                partnership.gaps().forEach(gap -> rows.add(List.of(gap.locality(), gap.kind(), orEmpty(gap.referred()),
                        orEmpty(gap.noCapacity()), orEmpty(gap.notEligible()))));
            }
            case "delivery-health" -> {
                header = List.of("agency_id", "agency", "delivered", "delivered_first_time", "delivered_after_retries",
                        "parked", "recovered_after_parking", "first_time_rate", "parked_rate",
                        "median_ms_to_deliver", "p90_ms_to_deliver");
                partnership.deliveries().forEach(row -> rows.add(List.of(row.agencyId(), row.agency(),
                        orEmpty(row.delivered()), orEmpty(row.deliveredFirstTime()),
                        orEmpty(row.deliveredAfterRetries()), orEmpty(row.parked()),
                        orEmpty(row.recoveredAfterParking()), orEmpty(row.firstTimeRate()),
                        orEmpty(row.parkedRate()), orEmpty(row.toDeliverMedianMs()),
                        orEmpty(row.toDeliverP90Ms()))));
            }
            case "learner-support" -> {
                header = List.of("figure", "value");
                DashboardFigures.SupportFigures support = partnership.support();
                rows.add(List.of("registered", orEmpty(support.registered())));
                rows.add(List.of("with_lead", orEmpty(support.withLead())));
                rows.add(List.of("with_plan", orEmpty(support.withPlan())));
                rows.add(List.of("with_lead_and_plan", orEmpty(support.withLeadAndPlan())));
                rows.add(List.of("share_with_lead", orEmpty(support.shareWithLead())));
                rows.add(List.of("share_with_plan", orEmpty(support.shareWithPlan())));
                rows.add(List.of("share_with_lead_and_plan", orEmpty(support.shareWithLeadAndPlan())));
                rows.add(List.of("registration_to_first_plan_step_count", orEmpty(support.toFirstStepCount())));
                rows.add(List.of("registration_to_first_plan_step_median_seconds",
                        orEmpty(support.toFirstStepMedian())));
                rows.add(List.of("registration_to_first_plan_step_p90_seconds", orEmpty(support.toFirstStepP90())));
                rows.add(List.of("plan_steps_added", orEmpty(support.stepsAdded())));
                rows.add(List.of("plan_steps_open", orEmpty(support.stepsOpen())));
                rows.add(List.of("plan_steps_done", orEmpty(support.stepsDone())));
                rows.add(List.of("plan_steps_dropped", orEmpty(support.stepsDropped())));
            }
            default -> throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        String name = "pathways-" + table + "-" + filters.from() + "-to-" + filters.to() + ".csv";
        StreamingResponseBody body = out -> {
            Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            // Excel reads UTF-8 (Welsh ŵ, ŷ; agency names) only with the byte order mark
            writer.write('\ufeff');
            try (CSVPrinter printer = new CSVPrinter(writer, CSVFormat.RFC4180.builder()
                    .setHeader(header.toArray(String[]::new)).get())) {
                for (List<Object> row : rows) {
                    printer.printRecord(row.stream().map(DashboardController::safeCell).toList());
                }
            }
        };
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build()
                        .toString())
                .body(body);
    }

    /** The progression-service's live updates, relayed as they come (see {@link LiveRelay}). */
    @GetMapping(value = "/live", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    ResponseEntity<ResponseBodyEmitter> live() {
        // No token the API would take: 401 without a stream (the browser's EventSource stops; the next page signs
        // the person in again), and the API is not called.
        return live.relay().map(relay -> ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                        .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                        .header("X-Accel-Buffering", "no")
                        .body(relay))
                .orElseGet(() -> ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                        .header(HttpHeaders.CACHE_CONTROL, "no-store").build());
    }

    private void fill(Model model, DashboardFilters filters) {
        Figures read = figures.read(filters);
        model.addAttribute("figures", read);
        model.addAttribute("filters", filters);
        model.addAttribute("query", filters.query());
        Map<String, String> charts = new java.util.HashMap<>(Map.of(
                "funnel", json(figures.funnelChart(read)),
                "conversion", json(figures.conversionChart(read)),
                "flows", json(figures.flowsChart(read)),
                "response", json(figures.responseChart(read)),
                "milestones", json(figures.milestonesChart(read))));
        if (read.partnership() != null) {
            charts.put("journeys", json(figures.journeysChart(read)));
            charts.put("learning", json(figures.learningChart(read)));
            charts.put("missing", json(figures.missingChart(read)));
            charts.put("delivery", json(figures.deliveryChart(read)));
            charts.put("support", json(figures.supportChart(read)));
        }
        model.addAttribute("charts", charts);
    }

    private static DashboardFilters filters(Map<String, String> parameters) {
        return DashboardFilters.of(parameters.get("from"), parameters.get("to"), parameters.get("period"),
                parameters.get("agency"), parameters.get("kind"), parameters.get("locality"),
                parameters.get("opportunity"), parameters.get("learningKind"), parameters.get("groupBy"),
                LocalDate.now(Dates.UK));
    }

    private static String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    private static Object orEmpty(Object value) {
        return value == null ? "" : value;
    }

    /** A spreadsheet must not run a formula from a cell: text starting =, +, -, @ is quoted with an apostrophe. */
    static Object safeCell(Object value) {
        if (value instanceof String text && !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            return "'" + text;
        }
        return value;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
