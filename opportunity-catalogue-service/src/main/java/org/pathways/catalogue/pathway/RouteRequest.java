package org.pathways.catalogue.pathway;

import jakarta.validation.constraints.NotBlank;
import org.pathways.platform.validation.ResourceId;

/** Adds a progression route: the opportunity in the path leads on to {@code toOpportunityId}. */
public record RouteRequest(@NotBlank @ResourceId String toOpportunityId) {
}
