package org.pathways.learner.lead;

import java.time.Instant;

/** A handover offered by the lead's agency to a named worker of an agency with standing, waiting for them. */
public record Handover(String toAgencyId, String toWorkerId, String offeredBy, Instant offeredAt) {

    boolean isFor(String agency, String worker) {
        return toAgencyId.equals(agency) && toWorkerId.equals(worker);
    }
}
