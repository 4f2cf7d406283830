package org.pathways.learner.lead;

import jakarta.validation.constraints.NotNull;
import org.pathways.platform.validation.ResourceId;

/** {@code POST /api/learners/{id}/lead/handover}: offers the lead to a named worker of an agency with standing. */
public record OfferHandover(@NotNull @ResourceId String toAgencyId,
                            @NotNull @ResourceId String toWorkerId) {
}
