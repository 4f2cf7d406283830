package org.pathways.catalogue.agency;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencySector;

/**
 * What an agency's administrator says about their agency. {@code acceptsDirectReferrals} false means the agency only
 * signposts: others may point a learner to it but not refer. {@code version} is the version read, required when
 * changing an existing record (a stale one is a conflict) and ignored when creating it.
 */
public record AgencyDetails(
        @NotBlank @Size(max = 200) String name,
        @NotNull AgencySector sector,
        @NotNull AgencyKind kind,
        @Size(max = 50) List<@NotBlank @Size(max = 100) @Pattern(regexp = "[\\p{L}0-9 '.,&-]+") String> localities,
        @Size(max = 20) List<@Valid @NotNull AgencyContact> contacts,
        @NotNull Boolean acceptsDirectReferrals,
        @Size(max = 500) @Pattern(regexp = "https?://[^\\s<>\"]+") String website,
        Long version) {

    public AgencyDetails {
        name = name == null ? null : name.strip();
        localities = localities == null ? List.of() : localities.stream().map(String::strip).distinct().toList();
        contacts = contacts == null ? List.of() : List.copyOf(contacts);
    }
}
