package org.pathways.learner.plan;

import java.net.URI;

import jakarta.validation.Valid;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.platform.security.Caller;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The shared plan; every change needs the version read, as {@code If-Match} ({@code 428} without, {@code 412} stale). */
@RestController
@RequestMapping("/api/learners/{id}/plan")
class PlanController {

    private final Plans plans;

    PlanController(Plans plans) {
        this.plans = plans;
    }

    @GetMapping
    ResponseEntity<PlanView> get(Caller caller, AccessRequest request, @PathVariable String id) {
        return withETag(plans.read(caller, id, request));
    }

    @PostMapping("/steps")
    ResponseEntity<PlanView> add(Caller caller, AccessRequest request, @PathVariable String id,
                                 @RequestHeader(name = "If-Match", required = false) String ifMatch,
                                 @Valid @RequestBody AddPlanStep step) {
        PlanView plan = plans.add(caller, id, Plans.revisionFrom(ifMatch), step, request);
        String stepId = plan.steps().isEmpty() ? "" : plan.steps().getLast().stepId();
        return ResponseEntity.created(URI.create("/api/learners/" + id + "/plan/steps/" + stepId))
                .eTag(etag(plan)).body(plan);
    }

    @PatchMapping("/steps/{stepId}")
    ResponseEntity<PlanView> change(Caller caller, AccessRequest request, @PathVariable String id,
                                    @PathVariable String stepId,
                                    @RequestHeader(name = "If-Match", required = false) String ifMatch,
                                    @Valid @RequestBody ChangePlanStep change) {
        return withETag(plans.change(caller, id, stepId, Plans.revisionFrom(ifMatch), change, request));
    }

    private static ResponseEntity<PlanView> withETag(PlanView plan) {
        return ResponseEntity.ok().eTag(etag(plan)).body(plan);
    }

    private static String etag(PlanView plan) {
        return "\"" + plan.version() + "\"";
    }
}
