package org.pathways.referral.fhir;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.pathways.platform.problem.ProblemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
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
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Every failure of the FHIR API as a FHIR {@code OperationOutcome} ({@code application/fhir+json}) with the right
 * status: what a FHIR client understands, where the rest of the API answers RFC 9457 problem details. Ahead of the
 * service's problem-details advice, for the FHIR controller only. Diagnostics name parameters, never the values
 * sent (which may be personal data).
 */
@RestControllerAdvice(assignableTypes = FhirController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class OperationOutcomes {

    static final MediaType FHIR_JSON = MediaType.parseMediaType("application/fhir+json;charset=UTF-8");
    private static final Logger log = LoggerFactory.getLogger(OperationOutcomes.class);

    private final FhirContext fhir;

    OperationOutcomes(FhirContext fhir) {
        this.fhir = fhir;
    }

    static OperationOutcome outcome(IssueType type, String diagnostics) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(type).setDiagnostics(diagnostics);
        return outcome;
    }

    ResponseEntity<String> answer(HttpStatusCode status, IssueType type, String diagnostics) {
        return ResponseEntity.status(status).contentType(FHIR_JSON)
                .body(fhir.newJsonParser().encodeResourceToString(outcome(type, diagnostics)));
    }

    @ExceptionHandler(FhirError.class)
    ResponseEntity<String> refused(FhirError e) {
        return answer(e.status(), e.issue(), e.getMessage());
    }

    /** The platform's own refusals (an audit trail that cannot record, a forbidden role) keep their status. */
    @ExceptionHandler(ProblemException.class)
    ResponseEntity<String> problem(ProblemException e) {
        return answer(e.status(), issueFor(e.status()), e.toProblemDetail().getDetail());
    }

    @ExceptionHandler({HandlerMethodValidationException.class, MethodArgumentTypeMismatchException.class,
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
            HttpHeaders headers = error.getHeaders();
            ResponseEntity<String> answer = answer(error.getStatusCode(), issueFor(error.getStatusCode()),
                    error.getBody().getDetail());
            return ResponseEntity.status(answer.getStatusCode()).headers(headers).contentType(FHIR_JSON)
                    .body(answer.getBody());
        }
        log.error("Unexpected failure in the FHIR API", e);
        return answer(HttpStatus.INTERNAL_SERVER_ERROR, IssueType.EXCEPTION,
                "Something went wrong on our side.");
    }

    static IssueType issueFor(HttpStatusCode status) {
        return switch (status.value()) {
            case 400, 422 -> IssueType.INVALID;
            case 401 -> IssueType.LOGIN;
            case 403 -> IssueType.FORBIDDEN;
            case 404, 410 -> IssueType.NOTFOUND;
            case 405, 406, 415 -> IssueType.NOTSUPPORTED;
            case 409, 412 -> IssueType.CONFLICT;
            case 429 -> IssueType.THROTTLED;
            case 503 -> IssueType.TRANSIENT;
            default -> status.is4xxClientError() ? IssueType.INVALID : IssueType.EXCEPTION;
        };
    }
}
