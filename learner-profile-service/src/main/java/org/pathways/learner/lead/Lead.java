package org.pathways.learner.lead;

import java.time.Instant;

/** A learner's lead: a worker (their sign-in subject; the service keeps no names) of an agency, since when. */
public record Lead(String agencyId, String workerId, Instant since) {

    boolean is(String agency, String worker) {
        return agencyId.equals(agency) && workerId.equals(worker);
    }
}
