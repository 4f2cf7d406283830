package org.pathways.progression.milestones;

import java.time.Clock;
import java.time.LocalDate;

import org.pathways.platform.security.Caller;
import org.pathways.platform.validation.ResourceId;
import org.pathways.progression.access.Audience;
import org.pathways.progression.report.Period;
import org.pathways.progression.report.ReportWindow;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Milestones by type and learning kind, locality and pathway step. */
@RestController
@RequestMapping("/api/progression")
class MilestoneController {


    private final MilestoneReports reports;
    private final Clock clock;

    MilestoneController(MilestoneReports reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    @GetMapping("/milestones")
    MilestoneReports.MilestonesReport milestones(Caller caller,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @RequestParam(required = false) @ResourceId String localityCode,
            @RequestParam(required = false) @ResourceId String opportunityId,
            @RequestParam(required = false) LearningKind learningKind) {
        Audience audience = Audience.of(caller);
        return reports.report(audience, ReportWindow.of(from, to, clock), localityCode, opportunityId, learningKind);
    }

    /** Informal → non-formal → formal learning over time: coordinators only. */
    @GetMapping("/learning-progression")
    MilestoneReports.LearningProgressionReport learning(Caller caller,
            @RequestParam(defaultValue = "WEEK") Period period,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @RequestParam(required = false) @ResourceId String localityCode) {
        Audience.partnership(caller);
        return reports.learning(ReportWindow.of(from, to, clock), period, localityCode);
    }
}
