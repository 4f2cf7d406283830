package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

/**
 * HAPI's instance validator against the base R4 profiles ({@link DefaultProfileValidationSupport}), no
 * terminology server. (The referral-service's tests hold the same few lines: a test helper, not shared code.)
 */
final class FhirValidation {

    static final FhirContext R4 = FhirContext.forR4Cached();
    private static final FhirValidator VALIDATOR = R4.newValidator().registerValidatorModule(
            new FhirInstanceValidator(new ValidationSupportChain(new DefaultProfileValidationSupport(R4),
                    new InMemoryTerminologyServerValidationSupport(R4), new CommonCodeSystemsTerminologyService(R4))));

    private FhirValidation() {
    }

    static synchronized List<String> errors(String json) {
        return VALIDATOR.validateWithResult(json).getMessages().stream()
                .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
                .map(SingleValidationMessage::toString)
                .toList();
    }

    static void assertValid(String json) {
        assertThat(errors(json)).as("validation errors of %s", json).isEmpty();
    }
}
