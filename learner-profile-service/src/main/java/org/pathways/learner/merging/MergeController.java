package org.pathways.learner.merging;

import jakarta.validation.Valid;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.profile.LearnerProfiles;
import org.pathways.learner.profile.LearnerView;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.pathways.platform.security.Caller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

// Under the learner record's tag in the API document, with the profile's own operations, as before this feature
// had a controller of its own.
@Tag(name = "learner-controller")
@RestController
@RequestMapping("/api/learners")
class MergeController {

    private final Merges merges;
    private final LearnerProfiles profiles;

    MergeController(Merges merges, LearnerProfiles profiles) {
        this.merges = merges;
        this.profiles = profiles;
    }

    /** Folds {@code otherLearnerId} into this record; both histories are kept. */
    @PostMapping("/{id}/merge")
    LearnerView merge(Caller caller, AccessRequest access, @PathVariable String id,
                      @Valid @RequestBody MergeLearner request) {
        return profiles.view(caller, merges.merge(caller, id, request.otherLearnerId(), access));
    }
}
