package org.pathways.referral.rerouting;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.pathways.platform.validation.ResourceId;

/** Sends a referral on to another opportunity (at another agency, or the same one). */
public record RerouteReferral(@NotBlank @ResourceId String opportunityId,
                              @Size(max = 2000) String reasonText, @PositiveOrZero Long version) {
}
