package org.pathways.referral.domain;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Past;
import jakarta.validation.constraints.PastOrPresent;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.events.learner.LearningKind;
import org.pathways.events.learner.Level;
import org.pathways.events.learner.LocalityCode;
import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;

/**
 * A snapshot of what the learner agreed to share with the receiving agency for a referral: exactly the fields the
 * learner-profile-service shows an agency for {@code REFERRAL_SHARING} (its {@code LearnerView}), with the same
 * names, shapes and limits, and nothing else. Contact details and the preferred contact method are not here: the
 * profile shares them only for the {@code CONTACT} purpose. Every field is optional (the worker copies what the
 * referral needs); an empty snapshot is refused.
 *
 * <p>It is personal data: only the two agencies' workers and systems see it, it never leaves in an event, and it is
 * erased when the learner is ({@link Referral#erase}). The kinds and levels of learning are the published ones
 * ({@link LearningKind}, {@link Level}: milestone events carry them); the barrier codes and the achievement itself
 * mirror the learner-profile-service's, which publishes neither (they are personal data, never in an event).
 */
public record SharedSummary(
        @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String givenName,
        @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String familyName,
        @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String preferredName,
        @Past LocalDate dateOfBirth,
        @Pattern(regexp = LOCALITY, message = LocalityCode.MESSAGE) String localityCode,
        @Pattern(regexp = LANGUAGE) String preferredLanguage,
        Boolean interpreterNeeded,
        @Size(max = 1000) @Pattern(regexp = NO_CONTROL_CHARACTERS_EXCEPT_LINES) String accessibilityNeeds,
        @Size(max = 7) Set<@NotNull Barrier> barriers,
        @Size(max = 2000) @Pattern(regexp = NO_CONTROL_CHARACTERS_EXCEPT_LINES) String goals,
        @Size(max = 20) List<@NotBlank @Size(max = 100) @Pattern(regexp = NO_CONTROL_CHARACTERS) String> interests,
        @Size(max = 50) List<@NotNull @Valid Achievement> priorAchievements) {

    static final String NO_CONTROL_CHARACTERS = "[^\\p{Cntrl}]*";
    /** Text in the learner's own words may hold tabs and line breaks, but no other control character. */
    static final String NO_CONTROL_CHARACTERS_EXCEPT_LINES = "[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*";
    static final String LOCALITY = LocalityCode.PATTERN;   // upper-cased first: "ls6" is "LS6"
    static final String LANGUAGE = "[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}";

    /** What stands between the learner and learning or work (the profile's barrier codes). */
    public enum Barrier { TRANSPORT, CHILDCARE, CARING, DIGITAL_ACCESS, CONFIDENCE, HEALTH, MONEY }

    /** A prior achievement, as the profile records it; only formal learning is accredited. */
    public record Achievement(
            @NotBlank @Size(max = 200) @Pattern(regexp = NO_CONTROL_CHARACTERS) String title,
            @NotNull LearningKind kind,
            Level level,
            @PastOrPresent LocalDate achievedOn,
            Boolean accredited) {

        public Achievement {
            title = title == null ? null : title.strip();
            accredited = Boolean.TRUE.equals(accredited);
        }
    }

    public SharedSummary {
        givenName = absentIfBlank(givenName);
        familyName = absentIfBlank(familyName);
        preferredName = absentIfBlank(preferredName);
        localityCode = localityCode == null ? null : localityCode.strip().toUpperCase(java.util.Locale.ROOT);
        preferredLanguage = absentIfBlank(preferredLanguage);
        accessibilityNeeds = absentIfBlank(accessibilityNeeds);
        goals = absentIfBlank(goals);
        barriers = barriers == null ? Set.of() : barriers;
        interests = interests == null ? List.of() : interests;
        priorAchievements = priorAchievements == null ? List.of() : priorAchievements;
    }

    /**
     * Refuses a snapshot that holds nothing, or an accredited achievement outside formal learning (checked after
     * Bean Validation, which has already bounded every field).
     */
    public SharedSummary requireMeaningful() {
        boolean empty = givenName == null && familyName == null && preferredName == null && dateOfBirth == null
                && localityCode == null && preferredLanguage == null && interpreterNeeded == null
                && accessibilityNeeds == null && barriers.isEmpty() && goals == null && interests.isEmpty()
                && priorAchievements.isEmpty();
        if (empty) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "empty-shared-summary",
                    "A sharedSummary holds at least one field; leave it out when there is nothing to share.");
        }
        if (priorAchievements.stream().filter(Objects::nonNull)
                .anyMatch(a -> Boolean.TRUE.equals(a.accredited()) && a.kind() != LearningKind.FORMAL)) {
            throw ProblemException.unprocessable("accredited-needs-formal-learning",
                    "Only formal learning is accredited; record non-formal learning as recognised, not accredited.");
        }
        return this;
    }

    private static String absentIfBlank(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
