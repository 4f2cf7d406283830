package org.pathways.learner.profile;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.learner.domain.Achievement;
import org.pathways.learner.domain.Barrier;
import org.pathways.learner.domain.ContactMethod;
import org.pathways.learner.domain.LearnerDetails;
import org.pathways.learner.domain.LearnerText;
import org.pathways.learner.profile.ProfileFields.AccessibilityNeeds;
import org.pathways.learner.profile.ProfileFields.DateOfBirth;
import org.pathways.learner.profile.ProfileFields.Email;
import org.pathways.learner.profile.ProfileFields.Goals;
import org.pathways.learner.profile.ProfileFields.Language;
import org.pathways.learner.profile.ProfileFields.Locality;
import org.pathways.learner.profile.ProfileFields.Name;
import org.pathways.learner.profile.ProfileFields.Phone;

/**
 * What a worker sends to register a learner: the whole profile ({@link ProfileFields} holds the rules of each
 * field). Text is trimmed, a blank optional field counts as absent, and the locality code is upper-cased ("ls6" is
 * "LS6"); a full postcode or an address is refused.
 *
 * @param confirmNotDuplicate the worker checked the likely matches registration answered with and this is a
 *                            different person: register anyway
 */
public record RegisterLearner(
        @NotBlank @Name String givenName,
        @NotBlank @Name String familyName,
        @Name String preferredName,
        @NotNull @DateOfBirth LocalDate dateOfBirth,
        @Email String email,
        @Phone String phone,
        ContactMethod preferredContactMethod,
        @NotBlank @Locality String localityCode,
        @NotBlank @Language String preferredLanguage,
        Boolean interpreterNeeded,
        @AccessibilityNeeds String accessibilityNeeds,
        @Size(max = ProfileFields.BARRIERS) Set<@NotNull Barrier> barriers,
        @Goals String goals,
        @Size(max = ProfileFields.INTERESTS) List<@NotBlank @Size(max = ProfileFields.INTEREST_LENGTH)
        @Pattern(regexp = LearnerText.NO_CONTROL_CHARACTERS) String> interests,
        @Size(max = ProfileFields.ACHIEVEMENTS) List<@NotNull @Valid Achievement> priorAchievements,
        Boolean confirmNotDuplicate) implements LearnerDetails {

    public RegisterLearner {
        givenName = LearnerText.trimmed(givenName);
        familyName = LearnerText.trimmed(familyName);
        preferredName = LearnerText.absentIfBlank(preferredName);
        email = LearnerText.absentIfBlank(email);
        phone = LearnerText.absentIfBlank(phone);
        localityCode = LearnerText.locality(localityCode);
        preferredLanguage = LearnerText.trimmed(preferredLanguage);
        accessibilityNeeds = LearnerText.absentIfBlank(accessibilityNeeds);
        goals = LearnerText.absentIfBlank(goals);
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
}
