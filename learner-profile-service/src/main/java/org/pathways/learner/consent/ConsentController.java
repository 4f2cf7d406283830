package org.pathways.learner.consent;

import java.time.Clock;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.consent.ConsentView;
import org.pathways.platform.security.Caller;
import org.pathways.platform.validation.ResourceId;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/learners/{learnerId}/consents")
class ConsentController {

    private final ConsentRecords consents;
    private final Clock clock;

    ConsentController(ConsentRecords consents, Clock clock) {
        this.consents = consents;
        this.clock = clock;
    }

    /** {@code 201} with the consent recorded; {@code 200} with the one in force when it repeats its exact terms. */
    @PostMapping
    ResponseEntity<ConsentView> grant(Caller caller, @PathVariable String learnerId,
                                      @Valid @RequestBody RecordConsent request) {
        ConsentRecords.Grant grant = consents.grant(caller, learnerId, request);
        return ResponseEntity.status(grant.recorded() ? HttpStatus.CREATED : HttpStatus.OK)
                .body(ConsentView.of(grant.consent(), clock.instant()));
    }

    @DeleteMapping("/{consentId}")
    ConsentView withdraw(Caller caller, @PathVariable String learnerId, @PathVariable String consentId) {
        return ConsentView.of(consents.withdraw(caller, learnerId, consentId), clock.instant());
    }

    /** May {@code agencyId} receive this learner's data for {@code purpose} now, and on which consent? */
    @GetMapping("/check")
    ConsentDecision check(Caller caller, AccessRequest access, @PathVariable String learnerId,
                          @RequestParam @NotBlank @ResourceId String agencyId,
                          @RequestParam ConsentPurpose purpose) {
        return consents.check(caller, access, learnerId, agencyId, purpose);
    }
}
