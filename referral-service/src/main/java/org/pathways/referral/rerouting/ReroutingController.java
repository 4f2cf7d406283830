package org.pathways.referral.rerouting;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import org.pathways.platform.audit.PersonalDataRead;
import org.pathways.platform.security.Caller;
import org.pathways.platform.validation.ResourceId;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.web.ExpectedVersion;
import org.pathways.referral.web.ReferralView;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/referrals/{id}")
class ReroutingController {

    private final Rerouting rerouting;

    ReroutingController(Rerouting rerouting) {
        this.rerouting = rerouting;
    }

    /** Closes the referral as re-routed and answers its successor (201, Location of the new referral). */
    @PersonalDataRead("re-routed referral: need, history and shared summary")
    @PostMapping("/reroute")
    ResponseEntity<ReferralView> reroute(Caller caller,
                                         @PathVariable @ResourceId String id,
                                         @RequestHeader(name = HttpHeaders.IF_MATCH, required = false)
                                         String ifMatch,
                                         @Valid @RequestBody RerouteReferral request) {
        Referral next = rerouting.reroute(caller, id, request, ExpectedVersion.of(ifMatch, request.version(), true));
        return ResponseEntity.created(URI.create("/api/referrals/" + next.id()))
                .eTag(ExpectedVersion.etag(next.version()))
                .body(ReferralView.forParty(next, caller, List.of()));
    }

    /** The person's journey: the referrals linked to this one by re-routing and next steps, first to last. */
    @GetMapping("/chain")
    List<ChainLink> chain(Caller caller, @PathVariable @ResourceId String id) {
        return rerouting.chain(caller, id);
    }
}
