package org.pathways.learner.milestone;

import java.util.List;

import jakarta.validation.Valid;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.platform.security.Caller;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/learners/{learnerId}/milestones")
class MilestoneController {

    private final Milestones milestones;

    MilestoneController(Milestones milestones) {
        this.milestones = milestones;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    MilestoneView record(Caller caller, @PathVariable String learnerId, @Valid @RequestBody RecordMilestone request) {
        return MilestoneView.of(milestones.record(caller, learnerId, request));
    }

    /** The timeline, in the order things happened. */
    @GetMapping
    List<MilestoneView> timeline(Caller caller, AccessRequest access, @PathVariable String learnerId) {
        return milestones.timeline(caller, learnerId, access).stream().map(MilestoneView::of).toList();
    }
}
