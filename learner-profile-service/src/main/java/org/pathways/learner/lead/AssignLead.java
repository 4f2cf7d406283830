package org.pathways.learner.lead;

import jakarta.validation.constraints.NotNull;
import org.pathways.platform.validation.ResourceId;

/**
 * {@code PUT /api/learners/{id}/lead}: a worker of the caller's own agency (their sign-in subject) becomes the lead.
 * The service keeps no directory of workers: the assigning worker vouches that {@code workerId} works for their
 * agency, which is why a lead can be assigned only within one's own agency, and another agency's worker becomes
 * lead only by accepting a handover themselves.
 */
public record AssignLead(@NotNull @ResourceId String workerId) {

}
