package org.pathways.progression.flows;

import java.util.List;

import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Aggregates for coordinators (the whole partnership) and agencies (flows they are party to). */
@RestController
@RequestMapping("/api/progression")
class ProgressionController {

    record Summary(List<PartnershipFlows.DailyCount> eventsByDay, List<PartnershipFlows.Flow> referralFlows) {
    }

    private final PartnershipFlows flows;
    private final java.time.Clock clock;

    ProgressionController(PartnershipFlows flows, java.time.Clock clock) {
        this.flows = flows;
        this.clock = clock;
    }

    @GetMapping("/summary")
    Summary summary(Caller caller) {
        if (caller.has(Role.COORDINATOR) || caller.has(Role.PLATFORM_ADMIN)) {
            return new Summary(flows.dailyCounts(java.time.LocalDate.now(clock.withZone(java.time.ZoneOffset.UTC))), flows.flows());
        }
        if (caller.has(Role.WORKER) || caller.has(Role.AGENCY_ADMIN)) {
            return new Summary(List.of(), flows.flows().stream()
                    .filter(f -> caller.actsFor(f.from()) || caller.actsFor(f.to())).toList());
        }
        throw ProblemException.forbidden("Only coordinators and agency workers see progression.");
    }
}
