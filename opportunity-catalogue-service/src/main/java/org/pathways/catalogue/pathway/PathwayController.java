package org.pathways.catalogue.pathway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.pathways.catalogue.opportunity.OpportunityView;
import org.pathways.platform.security.Caller;
import org.pathways.platform.validation.ResourceId;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class PathwayController {


    private final Pathways pathways;

    PathwayController(Pathways pathways) {
        this.pathways = pathways;
    }

    @PostMapping("/api/opportunities/{id}/routes")
    OpportunityView addRoute(Caller caller, @PathVariable String id, @Valid @RequestBody RouteRequest route) {
        return OpportunityView.of(pathways.addRoute(caller, id, route.toOpportunityId()));
    }

    @DeleteMapping("/api/opportunities/{id}/routes/{toId}")
    OpportunityView removeRoute(Caller caller, @PathVariable String id, @PathVariable String toId) {
        return OpportunityView.of(pathways.removeRoute(caller, id, toId));
    }

    @GetMapping("/api/opportunities/{id}/onward")
    Pathways.Onward onward(Caller caller, @PathVariable String id,
                           @RequestParam(defaultValue = "1") @Min(1) @Max(Pathways.MAX_DEPTH) int depth) {
        return pathways.onward(caller, id, depth);
    }

    @GetMapping("/api/pathways")
    Pathways.Found between(Caller caller, @RequestParam @ResourceId String from,
                           @RequestParam @ResourceId String to,
                           @RequestParam(defaultValue = "6") @Min(1) @Max(Pathways.MAX_DEPTH) int maxSteps) {
        return pathways.between(caller, from, to, maxSteps);
    }
}
