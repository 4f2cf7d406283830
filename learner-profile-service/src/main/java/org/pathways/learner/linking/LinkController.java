package org.pathways.learner.linking;

import jakarta.validation.Valid;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.profile.LearnerProfiles;
import org.pathways.learner.profile.LearnerView;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.pathways.platform.security.Caller;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

// Under the learner record's tag in the API document, with the profile's own operations, as before this feature
// had a controller of its own.
@Tag(name = "learner-controller")
@RestController
@RequestMapping("/api/learners")
class LinkController {

    private final Links links;
    private final LearnerProfiles profiles;

    LinkController(Links links, LearnerProfiles profiles) {
        this.links = links;
        this.profiles = profiles;
    }

    @PostMapping("/{id}/links")
    @ResponseStatus(HttpStatus.CREATED)
    LearnerView link(Caller caller, AccessRequest access, @PathVariable String id,
                     @Valid @RequestBody LinkLearner request) {
        return profiles.view(caller, links.link(caller, id, request.otherLearnerId(), access));
    }
}
