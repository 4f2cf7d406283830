package org.pathways.learner.profile;

import static org.pathways.learner.domain.LearnerDetails.EMAIL;
import static org.pathways.learner.domain.LearnerDetails.LANGUAGE;
import static org.pathways.learner.domain.LearnerDetails.LOCALITY;
import static org.pathways.learner.domain.LearnerDetails.NO_CONTROL_CHARACTERS;
import static org.pathways.learner.domain.LearnerDetails.NO_CONTROL_CHARACTERS_EXCEPT_LINES;
import static org.pathways.learner.domain.LearnerDetails.PHONE;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Past;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.pathways.learner.domain.Achievement;
import org.pathways.learner.domain.Barrier;
import org.pathways.learner.domain.ContactMethod;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.LearnerDetails;
import org.pathways.learner.domain.LearnerText;

/**
 * {@code PUT /api/learners/{id}}: the whole of a learner's details, replacing what was there (an optional field left
 * out is cleared). {@code version} is the version the worker read (or send it as {@code If-Match}).
 */
public record UpdateLearner(
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
        @PositiveOrZero Long version) implements LearnerDetails {

    public UpdateLearner {
        givenName = givenName == null ? null : givenName.strip();
        familyName = familyName == null ? null : familyName.strip();
        preferredName = LearnerText.absentIfBlank(preferredName);
        email = LearnerText.absentIfBlank(email);
        phone = LearnerText.absentIfBlank(phone);
        localityCode = LearnerText.locality(localityCode);
        preferredLanguage = preferredLanguage == null ? null : preferredLanguage.strip();
        accessibilityNeeds = LearnerText.absentIfBlank(accessibilityNeeds);
        goals = LearnerText.absentIfBlank(goals);
        interests = LearnerText.tidy(interests);
        barriers = barriers == null ? Set.of() : barriers;
        priorAchievements = priorAchievements == null ? List.of() : priorAchievements;
    }
}
