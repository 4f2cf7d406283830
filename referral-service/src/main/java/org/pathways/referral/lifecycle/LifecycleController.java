package org.pathways.referral.lifecycle;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import org.pathways.platform.security.Caller;
import org.pathways.referral.submission.Referral;
import org.pathways.referral.submission.ReferralView;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/referrals/{id}/transitions")
class LifecycleController {

    private final ReferralLifecycle lifecycle;

    LifecycleController(ReferralLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    /** Receives, accepts, rejects, starts, holds, resumes, completes, fails or cancels a referral. */
    @PostMapping
    ReferralView transition(Caller caller, @PathVariable @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}") String id,
                            @Valid @RequestBody TransitionRequest request) {
        Referral referral = lifecycle.transition(caller, id, request);
        return ReferralView.forParty(referral, referral.allowedActionsFor(Actor.of(caller, referral)), List.of());
    }
}
