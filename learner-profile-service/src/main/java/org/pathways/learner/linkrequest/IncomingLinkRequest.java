package org.pathways.learner.linkrequest;

import java.time.Instant;
import java.util.Set;

/**
 * A link request as the owning agency sees it: its own record, which agency asks and what matched. Nothing of the
 * requester's record (its id appears among the links only if the owning agency may see it).
 */
record IncomingLinkRequest(String id, String learnerId, String requestingAgencyId, Set<String> matchedOn,
                           LinkRequestStatus status, Instant requestedAt, Instant decidedAt) {

    static IncomingLinkRequest of(LinkRequest request) {
        return new IncomingLinkRequest(request.id(), request.learnerId(), request.requestingAgencyId(),
                request.matchedOn(), request.status(), request.requestedAt(), request.decidedAt());
    }
}
