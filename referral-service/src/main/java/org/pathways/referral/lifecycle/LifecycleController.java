package org.pathways.referral.lifecycle;

import java.util.List;

import jakarta.validation.Valid;
import org.pathways.platform.audit.PersonalDataRead;
import org.pathways.platform.security.Caller;
import org.pathways.platform.validation.ResourceId;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.web.ExpectedVersion;
import org.pathways.referral.web.PartyStanding;
import org.pathways.referral.web.ReferralView;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/referrals/{id}/transitions")
class LifecycleController {

    private final ReferralLifecycle lifecycle;
    private final PartyStanding standing;

    LifecycleController(ReferralLifecycle lifecycle, PartyStanding standing) {
        this.lifecycle = lifecycle;
        this.standing = standing;
    }

    /**
     * Receives, accepts, rejects, starts, holds, resumes, completes, fails or cancels a referral, at the version
     * named by {@code If-Match} or the body; answers the referral with its new {@code ETag}.
     */
    @PersonalDataRead("referral after a transition: need, history and shared summary")
    @PostMapping
    ResponseEntity<ReferralView> transition(Caller caller,
            @PathVariable @ResourceId String id,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            @Valid @RequestBody TransitionRequest request) {
        Referral referral = lifecycle.transition(caller, id, request,
                ExpectedVersion.of(ifMatch, request.version(), true));
        return ResponseEntity.ok().eTag(ExpectedVersion.etag(referral.version()))
                .body(standing.view(referral, caller, List.of()));
    }
}
