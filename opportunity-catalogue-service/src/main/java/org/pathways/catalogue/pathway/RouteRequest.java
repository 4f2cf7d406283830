package org.pathways.catalogue.pathway;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/** Adds a progression route: the opportunity in the path leads on to {@code toOpportunityId}. */
public record RouteRequest(@NotBlank @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}") String toOpportunityId) {
}
