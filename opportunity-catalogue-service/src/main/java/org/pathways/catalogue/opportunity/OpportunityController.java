package org.pathways.catalogue.opportunity;

import java.net.URI;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.platform.idempotency.IdempotencyKeys;
import org.pathways.platform.security.Caller;
import org.springframework.http.ResponseEntity;
import org.springframework.http.HttpStatus;
import org.pathways.platform.problem.ProblemException;
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

    /**
     * A draft ({@code 201}); with an {@code Idempotency-Key}, the same request sent again answers {@code 200} with
     * the draft the first made ({@code Idempotent-Replayed: true}), as it is now.
     */
    @PostMapping
    ResponseEntity<OpportunityView> draft(Caller caller, @Valid @RequestBody DraftOpportunity request,
                                          @RequestHeader(name = IdempotencyKeys.HEADER, required = false)
                                          @Size(min = 1, max = 128) @Pattern(regexp = IdempotencyKeys.PATTERN)
                                          String idempotencyKey) {
        OpportunityCatalogue.Drafted drafted = catalogue.draft(caller, request, idempotencyKey);
        OpportunityView view = OpportunityView.of(drafted.opportunity());
        ResponseEntity.BodyBuilder answer = drafted.replayed() ? ResponseEntity.ok()
                : ResponseEntity.created(URI.create("/api/opportunities/" + view.id()));
        return answer.header(IdempotencyKeys.REPLAYED, String.valueOf(drafted.replayed())).body(view);
    }

    @PostMapping("/{id}/publish")
    OpportunityView publish(Caller caller, @PathVariable String id) {
        return OpportunityView.of(catalogue.publish(caller, id));
    }

    @PostMapping("/{id}/withdraw")
    OpportunityView withdraw(Caller caller, @PathVariable String id) {
        return OpportunityView.of(catalogue.withdraw(caller, id));
    }

    /**
     * The opportunity, with its people's revision as {@code ETag} (what an edit sends back as {@code If-Match}):
     * places taken or released meanwhile do not change it.
     */
    @GetMapping("/{id}")
    ResponseEntity<OpportunityView> get(Caller caller, @PathVariable String id) {
        OpportunityView view = OpportunityView.of(catalogue.visibleTo(caller, id));
        return ResponseEntity.ok().eTag("\"" + view.revision() + "\"").body(view);
    }

    /**
     * Replaces the details; {@code If-Match} carries the revision read, as the {@code ETag} gave it (or bare): without
     * it {@code 428 precondition-required}, as in the referral-service; another person's change since:
     * {@code 409 stale-version}. Places taken or released since are no conflict.
     */
    @PutMapping("/{id}")
    ResponseEntity<OpportunityView> revise(Caller caller, @PathVariable String id,
                           @RequestHeader(name = "If-Match", required = false)
                           @Pattern(regexp = "\"?[0-9]{1,18}\"?") String ifMatch,
                           @Valid @RequestBody DraftOpportunity request) {
        if (ifMatch == null) {
            // Whoever may not change it is told so first, as without the header they would be with it.
            catalogue.requireManagedBy(caller, id);
            throw new ProblemException(HttpStatus.PRECONDITION_REQUIRED, "precondition-required",
                    "Send If-Match with the ETag the opportunity was read with, so that a change made meanwhile is"
                            + " refused rather than overwritten.");
        }
        OpportunityView view = OpportunityView.of(catalogue.revise(caller, id,
                Long.parseLong(ifMatch.replace("\"", "")), request));
        return ResponseEntity.ok().eTag("\"" + view.revision() + "\"").body(view);
    }

    @PostMapping("/{id}/end")
    OpportunityView end(Caller caller, @PathVariable String id) {
        return OpportunityView.of(catalogue.end(caller, id));
    }
}
