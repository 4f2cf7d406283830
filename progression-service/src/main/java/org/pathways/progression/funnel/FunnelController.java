package org.pathways.progression.funnel;

import java.time.Clock;
import java.time.LocalDate;

import jakarta.validation.constraints.Pattern;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.platform.security.Caller;
import org.pathways.progression.access.Audience;
import org.pathways.progression.report.Period;
import org.pathways.progression.report.ReportWindow;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The referral funnel and response times, for coordinators (everything) and agencies (their own flows). */
@RestController
@RequestMapping("/api/progression")
class FunnelController {

    static final String AGENCY_ID = "^[A-Za-z0-9._:-]{1,64}$";

    private final ReferralReports reports;
    private final Clock clock;

    FunnelController(ReferralReports reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    @GetMapping("/funnel")
    ReferralReports.FunnelReport funnel(Caller caller,
            @RequestParam(defaultValue = "WEEK") Period period,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @RequestParam(required = false) @Pattern(regexp = AGENCY_ID) String receivingAgencyId,
            @RequestParam(required = false) OpportunityKind opportunityKind) {
        Audience audience = Audience.of(caller);
        return reports.funnel(audience, ReportWindow.of(from, to, clock), period, receivingAgencyId, opportunityKind);
    }

    @GetMapping("/response-times")
    ReferralReports.ResponseTimesReport responseTimes(Caller caller,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @RequestParam(required = false) @Pattern(regexp = AGENCY_ID) String receivingAgencyId) {
        Audience audience = Audience.of(caller);
        return reports.responseTimes(audience, ReportWindow.of(from, to, clock), receivingAgencyId);
    }
}
