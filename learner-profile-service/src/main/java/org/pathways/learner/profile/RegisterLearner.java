package org.pathways.learner.profile;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Past;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.learner.domain.Achievement;
import org.pathways.learner.domain.Barrier;
import org.pathways.learner.domain.ContactMethod;
import org.pathways.learner.domain.LearnerDetails;
import org.pathways.learner.domain.LearnerText;

import static org.pathways.learner.domain.LearnerDetails.EMAIL;
import static org.pathways.learner.domain.LearnerDetails.LANGUAGE;
import static org.pathways.learner.domain.LearnerDetails.LOCALITY;
import static org.pathways.learner.domain.LearnerDetails.NO_CONTROL_CHARACTERS;
import static org.pathways.learner.domain.LearnerDetails.NO_CONTROL_CHARACTERS_EXCEPT_LINES;
import static org.pathways.learner.domain.LearnerDetails.PHONE;

/**
 * What a worker sends to register a learner. Text is trimmed, a blank optional field counts as absent, and the
 * locality code is upper-cased ("ls6" is "LS6"); a full postcode or an address is refused.
 *
 * @param confirmNotDuplicate the worker checked the likely matches registration answered with and this is a
 *                            different person: register anyway
 */
public record RegisterLearner(
        @NotBlank @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String givenName,
        @NotBlank @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String familyName,
        @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String preferredName,
        @NotNull @Past LocalDate dateOfBirth,
        @Size(max = 254) @Email(regexp = EMAIL) String email,
        @Size(max = 20) @Pattern(regexp = PHONE) String phone,
        ContactMethod preferredContactMethod,
        @NotBlank @Pattern(regexp = LOCALITY) String localityCode,
        @NotBlank @Pattern(regexp = LANGUAGE) String preferredLanguage,
        Boolean interpreterNeeded,
        @Size(max = 1000) @Pattern(regexp = NO_CONTROL_CHARACTERS_EXCEPT_LINES) String accessibilityNeeds,
        @Size(max = 7) Set<@NotNull Barrier> barriers,
        @Size(max = 2000) @Pattern(regexp = NO_CONTROL_CHARACTERS_EXCEPT_LINES) String goals,
        @Size(max = 20) List<@NotBlank @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String> interests,
        @Size(max = 50) List<@NotNull @Valid Achievement> priorAchievements,
        Boolean confirmNotDuplicate) implements LearnerDetails {

    public RegisterLearner {
        givenName = trimmed(givenName);
        familyName = trimmed(familyName);
        preferredName = absentIfBlank(preferredName);
        email = absentIfBlank(email);
        phone = absentIfBlank(phone);
        localityCode = LearnerText.locality(localityCode);
        preferredLanguage = trimmed(preferredLanguage);
        accessibilityNeeds = absentIfBlank(accessibilityNeeds);
        goals = absentIfBlank(goals);
        interests = LearnerText.tidy(interests);
        barriers = barriers == null ? Set.of() : barriers;
        priorAchievements = priorAchievements == null ? List.of() : priorAchievements;
    }

    /** The original registration: identity, contact and locality only. */
    public RegisterLearner(String givenName, String familyName, String preferredName, LocalDate dateOfBirth,
                           String email, String phone, String localityCode, String preferredLanguage) {
        this(givenName, familyName, preferredName, dateOfBirth, email, phone, null, localityCode, preferredLanguage,
                null, null, null, null, null, null, null);
    }

    public boolean confirmedNotDuplicate() {
        return Boolean.TRUE.equals(confirmNotDuplicate);
    }

    private static String trimmed(String text) {
        return text == null ? null : text.strip();
    }

    private static String absentIfBlank(String text) {
        return LearnerText.absentIfBlank(text);
    }
}
