package org.pathways.catalogue.agency;

import jakarta.validation.constraints.NotNull;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencySector;

/** A platform administrator's decision on what kind and sector an agency is; {@code version} is the one read. */
public record KindApproval(@NotNull AgencyKind kind, @NotNull AgencySector sector, Long version) {
}
