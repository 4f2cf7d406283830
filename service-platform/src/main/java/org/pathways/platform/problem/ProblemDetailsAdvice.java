package org.pathways.platform.problem;

import java.util.List;
import java.util.Map;

import org.apache.tomcat.util.http.InvalidParameterException;
import org.pathways.platform.validation.DateRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.databind.DatabindException;

/**
 * One place that turns every failure into RFC 9457 problem details with the right 4xx, so that bad input is never
 * a 500. Details name fields, never the values sent (which may be personal data).
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<ProblemDetail> problem(ProblemException e) {
        return ResponseEntity.status(e.status()).body(e.toProblemDetail());
    }

    @ExceptionHandler(DuplicateKeyException.class)
    ResponseEntity<ProblemDetail> duplicate(DuplicateKeyException e) {
        return problem(new ProblemException(HttpStatus.CONFLICT, "duplicate", "This already exists."));
    }

    @ExceptionHandler(OptimisticLockingFailureException.class)
    ResponseEntity<ProblemDetail> stale(OptimisticLockingFailureException e) {
        return problem(new ProblemException(HttpStatus.CONFLICT, "stale-version",
                "Someone else changed this meanwhile: reload it and try again."));
    }

    @ExceptionHandler(jakarta.validation.ConstraintViolationException.class)
    ResponseEntity<ProblemDetail> constraintViolation(jakarta.validation.ConstraintViolationException e) {
        return problem(new ProblemException(HttpStatus.BAD_REQUEST, "validation", "Some parameters are not valid."));
    }

    /** A query string Tomcat cannot decode (MalformedRequestFilter refuses it earlier: this is the backstop). */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<ProblemDetail> malformedParameters(InvalidParameterException e) {
        return problem(new ProblemException(HttpStatus.BAD_REQUEST, "malformed-request",
                "The query string is not valid percent-encoded UTF-8."));
    }

    /**
     * A header value Spring Security's firewall refuses when the handler reads it (outside printable ASCII and
     * Latin-1, e.g. an {@code Idempotency-Key} in Cyrillic): the caller's mistake, never a 500 (which the gateway's
     * circuit breaker would count against the route for everyone). The value is not repeated.
     */
    @ExceptionHandler(RequestRejectedException.class)
    ResponseEntity<ProblemDetail> rejectedByTheFirewall(RequestRejectedException e) {
        return problem(new ProblemException(HttpStatus.BAD_REQUEST, "malformed-request",
                "A header of the request has characters outside printable ASCII; send such values encoded."));
    }

    /**
     * A multipart body that does not parse (no boundary, cut short): the servlet parses every multipart request
     * before a handler is chosen, so this reaches any path. The caller's mistake, never a 500 (which the gateway's
     * circuit breaker would count against the route for everyone). Too large an upload (a subclass) keeps Spring's
     * own 413 from the handler this advice extends, the closer match.
     */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> malformedMultipart(MultipartException e) {
        return problem(new ProblemException(HttpStatus.BAD_REQUEST, "malformed-request",
                "The multipart body could not be read."));
    }

    @ExceptionHandler({AccessDeniedException.class, AuthenticationException.class})
    void securityHandlesThese(RuntimeException e) {
        throw e;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("Unexpected failure", e);
        return problem(new ProblemException(HttpStatus.INTERNAL_SERVER_ERROR, "internal",
                "Something went wrong on our side; nothing was changed by a partial write."));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(f -> Map.of("field", f.getField(), "code", constraint(f),
                        "message", String.valueOf(f.getDefaultMessage())))
                .toList();
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "Some fields are not valid.");
        problem.setType(ProblemResponses.type("validation"));
        problem.setProperty("errors", errors);
        return ResponseEntity.badRequest().body(problem);
    }

    /**
     * The constraint a field broke, by its annotation's simple name ({@code NotBlank}, {@code Size}, {@code Pattern},
     * {@code Email}...): its most general code. A client shows its own words for it, in its own language.
     */
    private static String constraint(org.springframework.context.MessageSourceResolvable error) {
        String[] codes = error.getCodes();
        return codes == null || codes.length == 0 ? "Invalid" : codes[codes.length - 1];
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        // A body validated with the method (beside a constrained parameter) names its own fields, as when it is
        // validated alone; any other parameter is named by its name.
        List<Map<String, String>> errors = ex.getParameterValidationResults().stream()
                .flatMap(result -> result instanceof org.springframework.validation.method.ParameterErrors body
                        ? java.util.stream.Stream.concat(body.getFieldErrors().stream().map(field -> Map.of(
                                "field", field.getField(), "code", constraint(field),
                                "message", String.valueOf(field.getDefaultMessage()))),
                                body.getGlobalErrors().stream().map(error -> Map.of(
                                        "field", String.valueOf(result.getMethodParameter().getParameterName()),
                                        "code", constraint(error),
                                        "message", String.valueOf(error.getDefaultMessage()))))
                        : result.getResolvableErrors().stream().map(error -> Map.of(
                                "field", String.valueOf(result.getMethodParameter().getParameterName()),
                                "code", constraint(error),
                                "message", String.valueOf(error.getDefaultMessage()))))
                .toList();
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "Some parameters are not valid.");
        problem.setType(ProblemResponses.type("validation"));
        problem.setProperty("errors", errors);
        return ResponseEntity.badRequest().body(problem);
    }

    /** Errors Spring answers itself (405, 415, a missing parameter, an unknown path) get our stable types too. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
            HttpStatusCode statusCode, WebRequest request) {
        Object problemBody = body == null && ex instanceof org.springframework.web.ErrorResponse errorResponse
                ? errorResponse.getBody() : body;
        if (problemBody instanceof ProblemDetail problem
                && (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
            problem.setType(ProblemResponses.type(ProblemResponses.kindOf(statusCode)));
        }
        return super.handleExceptionInternal(ex, body, headers, statusCode, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String detail = "The request body is not valid JSON for this endpoint.";
        if (ex.getCause() instanceof DatabindException databind && !databind.getPath().isEmpty()) {
            String field = databind.getPath().stream()
                    .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                    .reduce((a, b) -> a + "." + b).orElse("");
            detail = databind.getOriginalMessage() != null && databind.getOriginalMessage().contains(DateRange.MESSAGE)
                    ? "The field '" + field + "' " + DateRange.MESSAGE + "."
                    : "The field '" + field + "' is unknown or has the wrong type.";
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setType(ProblemResponses.type("malformed-request"));
        return ResponseEntity.badRequest().body(problem);
    }
}
