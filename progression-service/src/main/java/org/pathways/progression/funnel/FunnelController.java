package org.pathways.progression.funnel;

import java.time.Clock;
import java.time.LocalDate;

import org.pathways.events.opportunity.OpportunityKind;
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

/**
 * The referral funnel and response times, for coordinators (everything) and agencies (their own flows); where
 * provision is missing, for coordinators.
 */
@RestController
@RequestMapping("/api/progression")
class FunnelController {


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
            @RequestParam(required = false) @ResourceId String receivingAgencyId,
            @RequestParam(required = false) @ResourceId String referringAgencyId,
            @RequestParam(required = false) OpportunityKind opportunityKind,
            @RequestParam(required = false) @ResourceId String localityCode,
            @RequestParam(required = false) ReferralReports.Cut groupBy) {
        Audience audience = Audience.of(caller);
        return reports.funnel(audience, ReportWindow.of(from, to, clock), period,
                new ReferralReports.Filter(receivingAgencyId, referringAgencyId, opportunityKind, localityCode),
                groupBy);
    }

    @GetMapping("/response-times")
    ReferralReports.ResponseTimesReport responseTimes(Caller caller,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @RequestParam(required = false) @ResourceId String receivingAgencyId) {
        Audience audience = Audience.of(caller);
        return reports.responseTimes(audience, ReportWindow.of(from, to, clock), receivingAgencyId);
    }

    @GetMapping("/missing-provision")
    ReferralReports.MissingProvisionReport missingProvision(Caller caller,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @RequestParam(required = false) OpportunityKind opportunityKind,
            @RequestParam(required = false) @ResourceId String localityCode) {
        Audience audience = Audience.partnership(caller);
        return reports.missingProvision(audience, ReportWindow.of(from, to, clock),
                new ReferralReports.Filter(null, null, opportunityKind, localityCode));
    }
}
