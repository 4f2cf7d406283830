package org.pathways.platform.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import jakarta.validation.constraints.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.validation.MessageInterpolatorFactory;
import org.springframework.context.support.StaticMessageSource;

/**
 * The one id constraint, validated as Spring Boot validates request records (its message interpolator over the
 * application's messages): the ids the platform accepts, the ones it refuses, and the very message
 * {@code @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}")} gave, so problem details do not change.
 */
class ResourceIdTest {

    record Named(@ResourceId String id) {
    }

    record NamedTheOldWay(@Pattern(regexp = "[A-Za-z0-9._:-]{1,64}") String id) {
    }

    private static final ValidatorFactory FACTORY = Validation.byDefaultProvider().configure()
            .messageInterpolator(new MessageInterpolatorFactory(new StaticMessageSource()).getObject())
            .buildValidatorFactory();
    private static final Validator VALIDATOR = FACTORY.getValidator();

    @AfterAll
    static void close() {
        FACTORY.close();
    }

    @Test
    void acceptsThePlatformsIdsAndNull() {
        for (String id : List.of("agency-college", "lrn_01.a:b", "x", "a".repeat(64))) {
            assertThat(VALIDATOR.validate(new Named(id))).as(id).isEmpty();
        }
        assertThat(VALIDATOR.validate(new Named(null))).as("null is for @NotBlank to refuse").isEmpty();
    }

    @Test
    void refusesAnythingElseOnceWithTheMessagePatternGave() {
        for (String id : List.of("", "a".repeat(65), "has space", "../etc", "é", "a/b", "$where")) {
            Set<ConstraintViolation<Named>> violations = VALIDATOR.validate(new Named(id));
            Set<ConstraintViolation<NamedTheOldWay>> before = VALIDATOR.validate(new NamedTheOldWay(id));

            assertThat(violations).as(id).hasSize(1);
            assertThat(before).as(id).hasSize(1);
            assertThat(violations.iterator().next().getMessage()).as(id)
                    .isEqualTo(before.iterator().next().getMessage())
                    .isEqualTo("must match \"[A-Za-z0-9._:-]{1,64}\"");
        }
    }

    @Test
    void theFormatForCodeOutsideBeanValidationIsTheSame() {
        assertThat(ResourceId.FORMAT.matcher("agency-college").matches()).isTrue();
        assertThat(ResourceId.FORMAT.matcher("a".repeat(65)).matches()).isFalse();
        assertThat(ResourceId.FORMAT.pattern()).isEqualTo(ResourceId.PATTERN);
    }
}
