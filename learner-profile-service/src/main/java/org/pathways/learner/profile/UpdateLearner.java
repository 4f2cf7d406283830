package org.pathways.learner.profile;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
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
 * {@code PUT /api/learners/{id}}: the whole of a learner's details, replacing what was there (an optional field left
 * out is cleared), held to the same rules as a registration ({@link ProfileFields}) and tidied the same way.
 * {@code version} is the version the worker read (or send it as {@code If-Match}).
 */
public record UpdateLearner(
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
        @PositiveOrZero Long version) implements LearnerDetails {

    public UpdateLearner {
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
}
