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
        @Pattern(regexp = "[+0-9 ()-]{3,30}") String phone) {
}
