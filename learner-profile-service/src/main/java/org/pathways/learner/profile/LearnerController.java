package org.pathways.learner.profile;

import java.net.URI;
import java.time.Clock;

import jakarta.validation.Valid;
import org.pathways.platform.security.Caller;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/learners")
class LearnerController {

    private final LearnerProfiles profiles;
    private final Clock clock;

    LearnerController(LearnerProfiles profiles, Clock clock) {
        this.profiles = profiles;
        this.clock = clock;
    }

    @PostMapping
    ResponseEntity<LearnerView> register(Caller caller, @Valid @RequestBody RegisterLearner request) {
        Learner learner = profiles.register(caller, request);
        return ResponseEntity.created(URI.create("/api/learners/" + learner.id()))
                .body(LearnerView.forAgency(learner, caller.agencyId(), clock.instant()));
    }

    @GetMapping("/{id}")
    LearnerView get(Caller caller, @PathVariable String id) {
        return LearnerView.forAgency(profiles.visibleTo(caller, id), caller.agencyId(), clock.instant());
    }
}
