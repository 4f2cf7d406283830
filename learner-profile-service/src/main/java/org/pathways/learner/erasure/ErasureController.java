package org.pathways.learner.erasure;

import io.swagger.v3.oas.annotations.tags.Tag;
import org.pathways.platform.security.Caller;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

// Under the learner record's tag in the API document, with the profile's own operations, as before this feature
// had a controller of its own.
@Tag(name = "learner-controller")
@RestController
@RequestMapping("/api/learners")
class ErasureController {

    private final Erasures erasures;

    ErasureController(Erasures erasures) {
        this.erasures = erasures;
    }

    /**
     * Right to erasure: answers with what remains, the pseudonymous tombstone; asked again (say after a failure part
     * way), finishes whatever was left and answers {@code 204}.
     */
    @DeleteMapping("/{id}")
    ResponseEntity<ErasedLearnerView> erase(Caller caller, @PathVariable String id) {
        Erasures.Erased erased = erasures.erase(caller, id);
        return erased.already() ? ResponseEntity.noContent().build()
                : ResponseEntity.ok(ErasedLearnerView.of(erased.learner()));
    }
}
