package org.pathways.referral.submission;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.platform.audit.PersonalDataRead;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.platform.validation.ResourceId;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.web.ExpectedVersion;
import org.pathways.referral.web.PartyStanding;
import org.pathways.referral.web.ReferralView;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/referrals")
class ReferralController {

    private final ReferralSubmission submission;
    private final PartyStanding standing;

    ReferralController(ReferralSubmission submission, PartyStanding standing) {
        this.standing = standing;
        this.submission = submission;
    }

    /** Refers a learner; a retried request with the same {@code Idempotency-Key} returns the first result. */
    @PersonalDataRead("submitted referral: need and shared summary")
    @PostMapping
    ResponseEntity<ReferralView> submit(Caller caller, @Valid @RequestBody SubmitReferral request,
            @RequestHeader(name = "Idempotency-Key", required = false)
            @Size(min = 1, max = 128) @Pattern(regexp = "[\\x21-\\x7E]+") String idempotencyKey) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's workers or systems submit referrals.");
        }
        if (request.sharedSummary() != null) {
            request.sharedSummary().requireMeaningful();
        }
        ReferralSubmission.Outcome outcome = submission.submit(caller, request, idempotencyKey);
        // A replay is answered as a read is: without the person's data once the caller has no standing.
        ReferralView view = outcome.replayed() ? standing.view(outcome.referral(), caller, outcome.warnings())
                : ReferralView.forParty(outcome.referral(), caller, outcome.warnings());
        return ResponseEntity.status(outcome.replayed() ? HttpStatus.OK : HttpStatus.CREATED)
                .location(URI.create("/api/referrals/" + outcome.referral().id()))
                .header("Idempotent-Replayed", String.valueOf(outcome.replayed()))
                .eTag(ExpectedVersion.etag(outcome.referral().version()))
                .body(view);
    }

    /**
     * A referral, to the two agencies party to it (coordinators see its metadata only), with its version as
     * {@code ETag} (what a change sends back as {@code If-Match}).
     */
    @PersonalDataRead("referral: need, history and shared summary")
    @GetMapping("/{id}")
    ResponseEntity<ReferralView> get(Caller caller,
                                     @PathVariable @ResourceId String id) {
        Referral referral = submission.find(id);
        if (referral != null && referral.isPartyTo(caller.agencyId()) && ReferralView.seesPersonalData(caller)) {
            // Whole while the agency has standing for the learner; without the person's data once it has none.
            return ResponseEntity.ok().eTag(ExpectedVersion.etag(referral.version())).body(
                    standing.view(referral, caller, List.of()));
        }
        // A party agency's admins and platform administrators, and coordinators of the partnership: metadata only.
        if (referral != null && (referral.isPartyTo(caller.agencyId()) || caller.has(Role.COORDINATOR))) {
            return ResponseEntity.ok().eTag(ExpectedVersion.etag(referral.version()))
                    .body(ReferralView.forCoordinator(referral));
        }
        throw ProblemException.notFound("referral", id);
    }
}
