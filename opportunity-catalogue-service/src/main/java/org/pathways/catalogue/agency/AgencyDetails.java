package org.pathways.catalogue.agency;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.catalogue.config.OpenReferralFormat;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencySector;

/**
 * What an agency's administrator says about their agency. {@code acceptsDirectReferrals} false means the agency only
 * signposts: others may point a learner to it but not refer. {@code version} is the version read, required when
 * changing an existing record (a stale one is a conflict) and ignored when creating it. {@code description},
 * {@code email} and {@code phone} are the agency's own (a general enquiries address and switchboard), optional.
 */
public record AgencyDetails(
        @NotBlank @Size(max = 200) String name,
        @NotNull AgencySector sector,
        @NotNull AgencyKind kind,
        @Size(max = 50) List<@NotBlank @Size(max = 100) @Pattern(regexp = "[\\p{L}0-9 '.,&-]+") String> localities,
        @Size(max = 20) List<@Valid @NotNull AgencyContact> contacts,
        @NotNull Boolean acceptsDirectReferrals,
        @Size(max = 500) @Pattern(regexp = "https?://[^\\s<>\"]+")
        @OpenReferralFormat(OpenReferralFormat.URI) String website,
        Long version,
        @Size(max = 2000) String description,
        @Email @OpenReferralFormat(OpenReferralFormat.EMAIL) @Size(max = 254) String email,
        @Pattern(regexp = AgencyContact.PHONE_PATTERN) String phone) {

    public AgencyDetails {
        name = name == null ? null : name.strip();
        description = description == null || description.isBlank() ? null : description.strip();
        email = email == null || email.isBlank() ? null : email.strip();
        phone = phone == null || phone.isBlank() ? null : phone.strip();
        localities = localities == null ? List.of() : localities.stream().map(String::strip).distinct().toList();
        contacts = contacts == null ? List.of() : List.copyOf(contacts);
    }
}
