package org.pathways.referral.rerouting;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** Sends a referral on to another opportunity (at another agency, or the same one). */
public record RerouteReferral(@NotBlank @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}") String opportunityId,
                              @Size(max = 2000) String reasonText, @PositiveOrZero Long version) {
}
