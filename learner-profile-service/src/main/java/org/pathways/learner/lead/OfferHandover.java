package org.pathways.learner.lead;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** {@code POST /api/learners/{id}/lead/handover}: offers the lead to a named worker of an agency with standing. */
public record OfferHandover(@NotNull @Pattern(regexp = AssignLead.ID) String toAgencyId,
                            @NotNull @Pattern(regexp = AssignLead.ID) String toWorkerId) {
}
