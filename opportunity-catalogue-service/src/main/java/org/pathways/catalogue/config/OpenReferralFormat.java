package org.pathways.catalogue.config;

import static java.lang.annotation.ElementType.ANNOTATION_TYPE;
import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/**
 * A text that must satisfy a JSON Schema {@code format} ({@code email}, {@code uri}) exactly as the Open Referral HSDS
 * 3.0 schemas assert it, so whatever the catalogue accepts it can also export as valid HSDS (Bean Validation's
 * {@code @Email} accepts addresses, such as ones without a registered top-level domain, that the schema refuses).
 * Checked by the same JSON Schema validator the tests validate the export with. Null is valid.
 */
@Documented
@Constraint(validatedBy = OpenReferralFormatValidator.class)
@Target({METHOD, FIELD, ANNOTATION_TYPE, PARAMETER, TYPE_USE})
@Retention(RUNTIME)
public @interface OpenReferralFormat {

    String EMAIL = "email";
    String URI = "uri";

    /** The JSON Schema format name. */
    String value();

    String message() default "must be a valid {value} as Open Referral HSDS 3.0 defines it";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
