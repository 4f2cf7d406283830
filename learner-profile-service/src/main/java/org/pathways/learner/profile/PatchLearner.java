package org.pathways.learner.profile;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.pathways.events.learner.ProfileField;
import org.pathways.learner.domain.Achievement;
import org.pathways.learner.domain.Barrier;
import org.pathways.learner.domain.ContactMethod;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.LearnerText;
import org.pathways.learner.profile.ProfileFields.AccessibilityNeeds;
import org.pathways.learner.profile.ProfileFields.DateOfBirth;
import org.pathways.learner.profile.ProfileFields.Email;
import org.pathways.learner.profile.ProfileFields.Goals;
import org.pathways.learner.profile.ProfileFields.Language;
import org.pathways.learner.profile.ProfileFields.Locality;
import org.pathways.learner.profile.ProfileFields.Name;
import org.pathways.learner.profile.ProfileFields.NameChange;
import org.pathways.learner.profile.ProfileFields.Phone;

/**
 * {@code PATCH /api/learners/{id}}: only the fields sent change; a field left out (or null) stays as it is. To
 * clear an optional field, send the whole profile with {@code PUT}. The fields are held to the rules of
 * {@link ProfileFields}; only a name, when sent, must not be blank.
 */
public record PatchLearner(
        @NameChange String givenName,
        @NameChange String familyName,
        @Name String preferredName,
        @DateOfBirth LocalDate dateOfBirth,
        @Email String email,
        @Phone String phone,
        ContactMethod preferredContactMethod,
        @Locality String localityCode,
        @Language String preferredLanguage,
        Boolean interpreterNeeded,
        @AccessibilityNeeds String accessibilityNeeds,
        @Size(max = ProfileFields.BARRIERS) Set<@NotNull Barrier> barriers,
        @Goals String goals,
        @Size(max = ProfileFields.INTERESTS) List<@NotNull @Size(max = ProfileFields.INTEREST_LENGTH)
        @Pattern(regexp = LearnerText.NO_CONTROL_CHARACTERS) String> interests,
        @Size(max = ProfileFields.ACHIEVEMENTS) List<@NotNull @Valid Achievement> priorAchievements,
        @PositiveOrZero Long version) {

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

    /**
     * The parts of the profile this patch names (its fields sent, whether or not their values differ): an agency may
     * send only parts it may change, so that a patch cannot tell it whether a value it may not see is what it guessed.
     */
    Set<ProfileField> sent() {
        Set<ProfileField> sent = EnumSet.noneOf(ProfileField.class);
        sentIf(sent, ProfileField.NAME, givenName, familyName, preferredName);
        sentIf(sent, ProfileField.DATE_OF_BIRTH, dateOfBirth);
        sentIf(sent, ProfileField.CONTACT, email, phone, preferredContactMethod);
        sentIf(sent, ProfileField.LOCALITY, localityCode);
        sentIf(sent, ProfileField.LANGUAGE, preferredLanguage, interpreterNeeded);
        sentIf(sent, ProfileField.ACCESSIBILITY, accessibilityNeeds);
        sentIf(sent, ProfileField.BARRIERS, barriers);
        sentIf(sent, ProfileField.GOALS, goals);
        sentIf(sent, ProfileField.INTERESTS, interests);
        sentIf(sent, ProfileField.ACHIEVEMENTS, priorAchievements);
        return sent;
    }

    private static void sentIf(Set<ProfileField> sent, ProfileField field, Object... values) {
        if (Arrays.stream(values).anyMatch(Objects::nonNull)) {
            sent.add(field);
        }
    }

    private static <T> T or(T patched, T current) {
        return patched != null ? patched : current;
    }
}
