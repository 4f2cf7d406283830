package org.pathways.events.learner;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * A learner who had no lead worker was given one: a worker of an agency with standing (it registered the learner or
 * holds a consent in force). Ids only, never the worker's name.
 *
 * @param agencyId           the lead worker's agency
 * @param workerId           the lead worker (the subject of their sign-in)
 * @param assignedByAgencyId the agency whose worker assigned the lead (today always {@code agencyId})
 */
public record LeadAssigned(String learnerId, String agencyId, String workerId, String assignedByAgencyId,
                           Instant assignedAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
