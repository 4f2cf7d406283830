package org.pathways.platform.audit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a controller method that returns personal data: every call to it is recorded in the audit trail like a
 * write (who, agency, when, correlation id). Writes are recorded without the mark.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface PersonalDataRead {

    /** Why this data is read, e.g. "referral summary"; recorded with each call. */
    String value();
}
