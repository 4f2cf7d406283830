package org.pathways.learner.linkrequest;

import java.time.Instant;
import java.util.Set;

/**
 * A link request as the requesting agency sees it: its own record and the answer, never the other record's id or
 * agency, before or after the answer.
 */
record OutgoingLinkRequest(String id, String learnerId, Set<String> matchedOn, LinkRequestStatus status,
                           Instant requestedAt, Instant decidedAt) {

    static OutgoingLinkRequest of(LinkRequest request) {
        return new OutgoingLinkRequest(request.id(), request.requestingLearnerId(), request.matchedOn(),
                request.status(), request.requestedAt(), request.decidedAt());
    }
}
