package org.pathways.referral.nextsteps;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.pathways.events.referral.Urgency;

/**
 * The next step a worker chose for a learner after a completed referral.
 *
 * @param need    the need in the worker's words; the completed referral's, when left out (no rekeying)
 * @param urgency the completed referral's when left out
 * @param version the completed referral's version the caller saw (optional; or {@code If-Match})
 */
public record StartNextStep(@NotBlank @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}") String opportunityId,
                            @Size(min = 1, max = 4000) String need, Urgency urgency,
                            @PositiveOrZero Long version) {
}
