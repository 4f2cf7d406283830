package org.pathways.referral.nextsteps;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.pathways.events.referral.Urgency;
import org.pathways.platform.validation.ResourceId;

/**
 * The next step a worker chose for a learner after a completed referral.
 *
 * @param need    the need in the worker's words; the completed referral's, when left out (no rekeying)
 * @param urgency the completed referral's when left out
 * @param version the completed referral's version the caller saw (optional; or {@code If-Match})
 */
public record StartNextStep(@NotBlank @ResourceId String opportunityId,
                            @Size(min = 1, max = 4000) String need, Urgency urgency,
                            @PositiveOrZero Long version) {
}
