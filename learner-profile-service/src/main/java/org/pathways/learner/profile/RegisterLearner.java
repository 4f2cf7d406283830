package org.pathways.learner.profile;

import java.time.LocalDate;
import java.util.Locale;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Past;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * What a worker sends to register a learner. Text is trimmed, a blank optional field counts as absent, and the
 * locality code is upper-cased ("ls6" is "LS6"); a full postcode or an address is refused.
 */
public record RegisterLearner(
        @NotBlank @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String givenName,
        @NotBlank @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String familyName,
        @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String preferredName,
        @NotNull @Past LocalDate dateOfBirth,
        @Size(max = 254) @Email(regexp = "[^@\\s]+@[^@\\s]+\\.[^@\\s]+") String email,
        @Size(max = 20) @Pattern(regexp = "\\+?[0-9][0-9 ()-]{5,19}") String phone,
        @NotBlank @Pattern(regexp = "[A-Z0-9-]{1,16}") String localityCode,
        @NotBlank @Pattern(regexp = "[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}") String preferredLanguage) {

    static final String NO_CONTROL_CHARACTERS = "[^\\p{Cntrl}]*";

    public RegisterLearner {
        givenName = trimmed(givenName);
        familyName = trimmed(familyName);
        preferredName = absentIfBlank(preferredName);
        email = absentIfBlank(email);
        phone = absentIfBlank(phone);
        localityCode = localityCode == null ? null : localityCode.strip().toUpperCase(Locale.ROOT);
        preferredLanguage = trimmed(preferredLanguage);
    }

    private static String trimmed(String text) {
        return text == null ? null : text.strip();
    }

    private static String absentIfBlank(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
