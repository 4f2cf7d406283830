package org.pathways.referral.nextsteps;

import java.net.URI;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.platform.audit.PersonalDataRead;
import org.pathways.platform.security.Caller;
import org.pathways.platform.validation.ResourceId;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.submission.ReferralSubmission;
import org.pathways.referral.web.ExpectedVersion;
import org.pathways.referral.web.ReferralView;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Next steps along the progression routes, for the two agencies of a completed referral. */
@RestController
@RequestMapping("/api/referrals/{id}/next-steps")
class NextStepsController {

    private final NextSteps nextSteps;

    NextStepsController(NextSteps nextSteps) {
        this.nextSteps = nextSteps;
    }

    @GetMapping
    NextStepSuggestions suggest(Caller caller, @PathVariable @ResourceId String id) {
        return nextSteps.suggest(caller, id);
    }

    /** Starts the next referral (201, Location of it); a retry with the same {@code Idempotency-Key} answers 200. */
    @PersonalDataRead("next referral: need, history and shared summary")
    @PostMapping
    ResponseEntity<ReferralView> start(Caller caller,
            @PathVariable @ResourceId String id,
            @RequestHeader(name = "Idempotency-Key", required = false)
            @Size(min = 1, max = 128) @Pattern(regexp = "[\\x21-\\x7E]+") String idempotencyKey,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            @Valid @RequestBody StartNextStep request) {
        ReferralSubmission.Outcome outcome = nextSteps.start(caller, id, request, idempotencyKey,
                ExpectedVersion.of(ifMatch, request.version(), false));
        Referral next = outcome.referral();
        return ResponseEntity.status(outcome.replayed() ? HttpStatus.OK : HttpStatus.CREATED)
                .location(URI.create("/api/referrals/" + next.id()))
                .header("Idempotent-Replayed", String.valueOf(outcome.replayed()))
                .eTag(ExpectedVersion.etag(next.version()))
                .body(ReferralView.forParty(next, caller, outcome.warnings()));
    }
}
