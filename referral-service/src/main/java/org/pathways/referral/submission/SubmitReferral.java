package org.pathways.referral.submission;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.pathways.events.referral.Urgency;
import org.pathways.platform.validation.ResourceId;
import org.pathways.referral.domain.SharedSummary;

/**
 * What a worker sends to refer a learner.
 *
 * @param sharedSummary optional: what the learner agreed to share with the receiving agency, as the worker read it
 *                      from their profile
 */
public record SubmitReferral(
        @NotBlank @ResourceId String learnerId,
        @NotBlank @ResourceId String opportunityId,
        @NotBlank @Size(max = 4000) String need,
        @NotNull Urgency urgency,
        @Valid SharedSummary sharedSummary) {

    public SubmitReferral(String learnerId, String opportunityId, String need, Urgency urgency) {
        this(learnerId, opportunityId, need, urgency, null);
    }
}
