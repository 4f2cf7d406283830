package org.pathways.learner.erasure;

import org.pathways.platform.security.Caller;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

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
