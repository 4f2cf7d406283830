package org.pathways.learner.milestone;

import java.util.List;

import jakarta.validation.Valid;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.platform.security.Caller;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/learners/{learnerId}/milestones")
class MilestoneController {

    private final Milestones milestones;

    MilestoneController(Milestones milestones) {
        this.milestones = milestones;
    }

    /** Records a milestone ({@code 201}); the same request again with its {@code Idempotency-Key}: {@code 200}, no second. */
    @PostMapping
    ResponseEntity<MilestoneView> record(Caller caller, @PathVariable String learnerId,
            @Valid @RequestBody RecordMilestone request,
            @RequestHeader(name = "Idempotency-Key", required = false)
            @Size(min = 1, max = 128) @Pattern(regexp = "[\\x21-\\x7E]+") String idempotencyKey) {
        Milestones.Recorded recorded = milestones.record(caller, learnerId, request, idempotencyKey);
        return ResponseEntity.status(recorded.replayed() ? HttpStatus.OK : HttpStatus.CREATED)
                .header("Idempotent-Replayed", String.valueOf(recorded.replayed()))
                .body(MilestoneView.of(recorded.milestone()));
    }

    /** The timeline, in the order things happened. */
    @GetMapping
    List<MilestoneView> timeline(Caller caller, AccessRequest access, @PathVariable String learnerId) {
        return milestones.timeline(caller, learnerId, access).stream().map(MilestoneView::of).toList();
    }
}
