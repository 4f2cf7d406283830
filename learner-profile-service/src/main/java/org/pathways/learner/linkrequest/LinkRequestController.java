package org.pathways.learner.linkrequest;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.platform.security.Caller;
import org.springframework.http.HttpStatus;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Under {@code /api/learners}, so the gateway's learner route carries it. */
@RestController
@Validated
@RequestMapping("/api/learners")
class LinkRequestController {

    private final LinkRequests requests;

    LinkRequestController(LinkRequests requests) {
        this.requests = requests;
    }

    /** Asks the agency holding the record a match token stands for to link it to {@code learnerId} (the caller's). */
    @PostMapping("/{learnerId}/link-requests")
    @ResponseStatus(HttpStatus.CREATED)
    OutgoingLinkRequest ask(Caller caller, @PathVariable String learnerId, @Valid @RequestBody AskToLink request) {
        return OutgoingLinkRequest.of(requests.ask(caller, learnerId, request.matchToken()));
    }

    @GetMapping(path = "/link-requests", params = "direction=outgoing")
    List<OutgoingLinkRequest> outgoing(Caller caller,
                                       @RequestParam @Pattern(regexp = "outgoing") String direction) {
        return requests.outgoing(caller).stream().map(OutgoingLinkRequest::of).toList();
    }

    /** Requests to link the caller's agency's records ({@code direction=incoming}, the default). */
    @GetMapping("/link-requests")
    List<IncomingLinkRequest> incoming(Caller caller, AccessRequest access,
                                       @RequestParam(defaultValue = "incoming") @Pattern(regexp = "incoming")
                                       String direction) {
        return requests.incoming(caller, access).stream().map(IncomingLinkRequest::of).toList();
    }

    @PostMapping("/link-requests/{requestId}/accept")
    IncomingLinkRequest accept(Caller caller, AccessRequest access, @PathVariable String requestId) {
        return IncomingLinkRequest.of(requests.accept(caller, requestId, access));
    }

    @PostMapping("/link-requests/{requestId}/decline")
    IncomingLinkRequest decline(Caller caller, AccessRequest access, @PathVariable String requestId) {
        return IncomingLinkRequest.of(requests.decline(caller, requestId, access));
    }
}
