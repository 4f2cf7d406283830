package org.pathways.platform.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.Pattern;

/**
 * The id of anything the platform names (a learner, agency, referral, opportunity, subscription, a locality code):
 * 1 to 64 letters, digits, {@code .}, {@code _}, {@code :} or {@code -}, as the published event schemas also say.
 * Like {@link Pattern}, it accepts {@code null}: pair it with {@code @NotBlank} where the id is required. A bad id is
 * reported once, with the message {@code @Pattern} gave before, so problem details read as they did.
 */
@Documented
@Constraint(validatedBy = {})
@ReportAsSingleViolation
@Pattern(regexp = ResourceId.PATTERN)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD,
        ElementType.TYPE_USE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
public @interface ResourceId {

    /** The format itself, for code that checks an id outside bean validation (an event's field, a cursor). */
    String PATTERN = "[A-Za-z0-9._:-]{1,64}";

    /** {@link #PATTERN}, compiled once: {@code ResourceId.FORMAT.matcher(id).matches()}. */
    java.util.regex.Pattern FORMAT = java.util.regex.Pattern.compile(PATTERN);

    String message() default "must match \"[A-Za-z0-9._:-]\\{1,64\\}\"";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
