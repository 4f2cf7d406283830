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
 * {@code PATCH /api/learners/{id}}: only the fields sent change; a field left out (or null) stays as it is. To
 * clear an optional field, send the whole profile with {@code PUT}.
 */
public record PatchLearner(
        @Size(min = 1, max = 100) @Pattern(regexp = NOT_BLANK_NO_CONTROL_CHARACTERS)
        String givenName,
        @Size(min = 1, max = 100) @Pattern(regexp = NOT_BLANK_NO_CONTROL_CHARACTERS)
        String familyName,
        @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String preferredName,
        @Past LocalDate dateOfBirth,
        @Size(max = 254) @Email(regexp = EMAIL) String email,
        @Size(max = 20) @Pattern(regexp = PHONE) String phone,
        ContactMethod preferredContactMethod,
        @Pattern(regexp = LOCALITY) String localityCode,
        @Pattern(regexp = LANGUAGE) String preferredLanguage,
        Boolean interpreterNeeded,
        @Size(max = 1000) @Pattern(regexp = NO_CONTROL_CHARACTERS_EXCEPT_LINES) String accessibilityNeeds,
        @Size(max = 7) Set<@NotNull Barrier> barriers,
        @Size(max = 2000) @Pattern(regexp = NO_CONTROL_CHARACTERS_EXCEPT_LINES) String goals,
        @Size(max = 20) List<@NotNull @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String> interests,
        @Size(max = 50) List<@NotNull @Valid Achievement> priorAchievements,
        @PositiveOrZero Long version) {

    /** Not blank, without control characters; linear to match (no nested backtracking on long input). */
    static final String NOT_BLANK_NO_CONTROL_CHARACTERS = "\\p{Zs}*[^\\p{Cntrl}\\s][^\\p{Cntrl}]*";

    public PatchLearner {
        localityCode = LearnerText.locality(localityCode);
    }

    /** The learner's details with this patch applied. */
    UpdateLearner appliedTo(Learner learner) {
        return new UpdateLearner(
                or(givenName, learner.givenName()), or(familyName, learner.familyName()),
                or(preferredName, learner.preferredName()), or(dateOfBirth, learner.dateOfBirth()),
                or(email, learner.email()), or(phone, learner.phone()),
                or(preferredContactMethod, learner.preferredContactMethod()), or(localityCode, learner.localityCode()),
                or(preferredLanguage, learner.preferredLanguage()),
                or(interpreterNeeded, learner.interpreterNeeded()),
                or(accessibilityNeeds, learner.accessibilityNeeds()), or(barriers, learner.barriers()),
                or(goals, learner.goals()), or(interests, learner.interests()),
                or(priorAchievements, learner.priorAchievements()), version);
    }

    private static <T> T or(T patched, T current) {
        return patched != null ? patched : current;
    }
}
