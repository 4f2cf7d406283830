package org.pathways.learner.profile;

import static java.lang.annotation.ElementType.ANNOTATION_TYPE;
import static java.lang.annotation.ElementType.CONSTRUCTOR;
import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;
import static org.pathways.learner.domain.LearnerText.EMAIL;
import static org.pathways.learner.domain.LearnerText.LANGUAGE;
import static org.pathways.learner.domain.LearnerText.LOCALITY;
import static org.pathways.learner.domain.LearnerText.NOT_BLANK_NO_CONTROL_CHARACTERS;
import static org.pathways.learner.domain.LearnerText.NO_CONTROL_CHARACTERS;
import static org.pathways.learner.domain.LearnerText.NO_CONTROL_CHARACTERS_EXCEPT_LINES;
import static org.pathways.learner.domain.LearnerText.PHONE;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.constraints.Past;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.events.learner.LocalityCode;

/**
 * The rules each field of a learner's profile is held to, written once for the three requests that carry the
 * profile: registering ({@link RegisterLearner}), replacing ({@link UpdateLearner}) and patching
 * ({@link PatchLearner}). Each rule is a composed constraint: a value that breaks it is reported under the field's
 * own name, once for each part it breaks, exactly as the parts would be reported on their own. What differs between
 * the requests stays on them: which fields a whole profile needs ({@code @NotBlank}, {@code @NotNull}), and that a
 * patched name, when sent, is not blank ({@link NameChange}). The lists keep their bounds where they are declared
 * ({@link #BARRIERS}, {@link #INTERESTS}, {@link #INTEREST_LENGTH}, {@link #ACHIEVEMENTS}): a constraint on a list's
 * elements cannot be composed.
 */
public final class ProfileFields {

    /** At most one of each barrier. */
    public static final int BARRIERS = 7;
    public static final int INTERESTS = 20;
    public static final int INTEREST_LENGTH = 100;
    public static final int ACHIEVEMENTS = 50;

    private ProfileFields() {
    }

    /** A given, family or preferred name: up to 100 characters, no control characters. */
    @Size(max = 100)
    @Pattern(regexp = NO_CONTROL_CHARACTERS)
    @Documented
    @Constraint(validatedBy = {})
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    public @interface Name {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** A given or family name sent in a patch: when sent, not blank, up to 100 characters. */
    @Size(min = 1, max = 100)
    @Pattern(regexp = NOT_BLANK_NO_CONTROL_CHARACTERS)
    @Documented
    @Constraint(validatedBy = {})
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    public @interface NameChange {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** In the past, and not before 1900: nobody the partnership works with was born earlier (a mistyped year). */
    @Past
    @Documented
    @Constraint(validatedBy = BornSince1900.class)
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    public @interface DateOfBirth {
        String message() default "must not be before 1900-01-01";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** The lower bound of {@link DateOfBirth} (its upper bound is {@code @Past}). */
    public static final class BornSince1900
            implements jakarta.validation.ConstraintValidator<DateOfBirth, java.time.LocalDate> {

        static final java.time.LocalDate EARLIEST = java.time.LocalDate.of(1900, 1, 1);

        @Override
        public boolean isValid(java.time.LocalDate date, jakarta.validation.ConstraintValidatorContext context) {
            return date == null || !date.isBefore(EARLIEST);
        }
    }

    @Size(max = 254)
    @jakarta.validation.constraints.Email(regexp = EMAIL)
    @Documented
    @Constraint(validatedBy = {})
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    public @interface Email {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    @Size(max = 20)
    @Pattern(regexp = PHONE)
    @Documented
    @Constraint(validatedBy = {})
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    public @interface Phone {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** A coarse locality code, upper-cased before it is checked ("ls6" is "LS6"); never a full postcode. */
    @Pattern(regexp = LOCALITY, message = LocalityCode.MESSAGE)
    @Documented
    @Constraint(validatedBy = {})
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    public @interface Locality {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** A BCP 47 language tag ("en", "cy", "pt-BR"). */
    @Pattern(regexp = LANGUAGE)
    @Documented
    @Constraint(validatedBy = {})
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    public @interface Language {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    @Size(max = 1000)
    @Pattern(regexp = NO_CONTROL_CHARACTERS_EXCEPT_LINES)
    @Documented
    @Constraint(validatedBy = {})
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    public @interface AccessibilityNeeds {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    @Size(max = 2000)
    @Pattern(regexp = NO_CONTROL_CHARACTERS_EXCEPT_LINES)
    @Documented
    @Constraint(validatedBy = {})
    @Target({METHOD, FIELD, ANNOTATION_TYPE, CONSTRUCTOR, PARAMETER, TYPE_USE})
    @Retention(RUNTIME)
    public @interface Goals {
        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }
}
