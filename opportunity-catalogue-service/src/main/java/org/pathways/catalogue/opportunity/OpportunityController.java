package org.pathways.catalogue.opportunity;

import java.net.URI;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import org.pathways.platform.security.Caller;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/opportunities")
class OpportunityController {

    private final OpportunityCatalogue catalogue;

    OpportunityController(OpportunityCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    @PostMapping
    ResponseEntity<OpportunityView> draft(Caller caller, @Valid @RequestBody DraftOpportunity request) {
        Opportunity opportunity = catalogue.draft(caller, request);
        return ResponseEntity.created(URI.create("/api/opportunities/" + opportunity.id()))
                .body(OpportunityView.of(opportunity));
    }

    @PostMapping("/{id}/publish")
    OpportunityView publish(Caller caller, @PathVariable String id) {
        return OpportunityView.of(catalogue.publish(caller, id));
    }

    @PostMapping("/{id}/withdraw")
    OpportunityView withdraw(Caller caller, @PathVariable String id) {
        return OpportunityView.of(catalogue.withdraw(caller, id));
    }

    @GetMapping("/{id}")
    OpportunityView get(Caller caller, @PathVariable String id) {
        return OpportunityView.of(catalogue.visibleTo(caller, id));
    }

    /** Replaces the details; {@code If-Match} carries the version read (stale → 409 stale-version). */
    @PutMapping("/{id}")
    OpportunityView revise(Caller caller, @PathVariable String id,
                           @RequestHeader("If-Match") @Pattern(regexp = "\"?[0-9]{1,18}\"?") String ifMatch,
                           @Valid @RequestBody DraftOpportunity request) {
        return OpportunityView.of(catalogue.revise(caller, id, Long.parseLong(ifMatch.replace("\"", "")), request));
    }

    @PostMapping("/{id}/end")
    OpportunityView end(Caller caller, @PathVariable String id) {
        return OpportunityView.of(catalogue.end(caller, id));
    }
}
