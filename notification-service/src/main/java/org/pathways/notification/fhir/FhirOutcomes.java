package org.pathways.notification.fhir;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.pathways.platform.problem.ProblemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;

/**
 * Every failure of the FHIR Subscription API as an {@code OperationOutcome} with the right status, where the rest
 * of the service answers problem details; for the FHIR controller only, ahead of the problem-details advice.
 */
@RestControllerAdvice(assignableTypes = FhirSubscriptionController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class FhirOutcomes {

    static final MediaType FHIR_JSON = MediaType.parseMediaType("application/fhir+json;charset=UTF-8");
    private static final Logger log = LoggerFactory.getLogger(FhirOutcomes.class);

    /** A request refused with this status and issue type. */
    static final class Refusal extends RuntimeException {
        final HttpStatus status;
        final IssueType issue;

        Refusal(HttpStatus status, IssueType issue, String diagnostics) {
            super(diagnostics, null, false, false);
            this.status = status;
            this.issue = issue;
        }
    }

    private final FhirContext fhir;

    FhirOutcomes(FhirContext fhir) {
        this.fhir = fhir;
    }

    private ResponseEntity<String> answer(HttpStatusCode status, IssueType type, String diagnostics) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(type).setDiagnostics(diagnostics);
        return ResponseEntity.status(status).contentType(FHIR_JSON)
                .body(fhir.newJsonParser().encodeResourceToString(outcome));
    }

    @ExceptionHandler(Refusal.class)
    ResponseEntity<String> refused(Refusal e) {
        return answer(e.status, e.issue, e.getMessage());
    }

    /** The service's own refusals (an endpoint the SSRF guard refuses: 400 invalid-endpoint) keep their status. */
    @ExceptionHandler(ProblemException.class)
    ResponseEntity<String> problem(ProblemException e) {
        return answer(e.status(), e.status().is4xxClientError() ? IssueType.INVALID : IssueType.EXCEPTION,
                e.toProblemDetail().getDetail());
    }

    @ExceptionHandler({HandlerMethodValidationException.class,
            jakarta.validation.ConstraintViolationException.class})
    ResponseEntity<String> invalidParameter(Exception e) {
        return answer(HttpStatus.BAD_REQUEST, IssueType.INVALID, "A parameter of the request is not valid.");
    }

    @ExceptionHandler({AccessDeniedException.class, AuthenticationException.class})
    void securityHandlesThese(RuntimeException e) {
        throw e;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<String> other(Exception e) {
        if (e instanceof ErrorResponse error && error.getStatusCode().is4xxClientError()) {
            return answer(error.getStatusCode(), error.getStatusCode().value() == 405 || error.getStatusCode()
                    .value() == 415 ? IssueType.NOTSUPPORTED : IssueType.INVALID, error.getBody().getDetail());
        }
        log.error("Unexpected failure in the FHIR Subscription API", e);
        return answer(HttpStatus.INTERNAL_SERVER_ERROR, IssueType.EXCEPTION, "Something went wrong on our side.");
    }
}
