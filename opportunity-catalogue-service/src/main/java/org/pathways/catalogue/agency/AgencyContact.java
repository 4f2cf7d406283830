package org.pathways.catalogue.agency;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.catalogue.config.OpenReferralFormat;

/** Someone at an agency that partners contact about referrals (a role, not a learner: never sent in events). */
public record AgencyContact(
        @NotBlank @Size(max = 200) String name,
        @Size(max = 100) String role,
        @Email @OpenReferralFormat(OpenReferralFormat.EMAIL) @Size(max = 254) String email,
        @Pattern(regexp = AgencyContact.PHONE_PATTERN) String phone) {

    /**
     * A phone number as people write it (HSDS gives {@code number} no format: "+44 113 496 0000", "0800 123 4567
     * (freephone)", "\"+44 1234 234567\""): at least three digits, at most 50 characters, no control characters.
     */
    public static final String PHONE_PATTERN = "(?=(?:\\D*\\d){3})[^\\p{Cntrl}]{3,50}";
}
