package org.pathways.platform.problem;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * An error a caller can act on, answered as RFC 9457 problem details with a stable {@code type} per kind
 * ({@code urn:pathways:problem:<kind>}). Messages never echo personal data.
 */
public class ProblemException extends RuntimeException {

    private final HttpStatus status;
    private final String kind;
    private final Map<String, Object> properties;

    public ProblemException(HttpStatus status, String kind, String detail) {
        this(status, kind, detail, Map.of());
    }

    public ProblemException(HttpStatus status, String kind, String detail, Map<String, Object> properties) {
        super(detail);
        this.status = status;
        this.kind = kind;
        this.properties = new LinkedHashMap<>(properties);
    }

    public static ProblemException notFound(String what, String id) {
        return new ProblemException(HttpStatus.NOT_FOUND, "not-found", "No " + what + " " + id + " that you may see.");
    }

    public static ProblemException conflict(String kind, String detail, Map<String, Object> properties) {
        return new ProblemException(HttpStatus.CONFLICT, kind, detail, properties);
    }

    public static ProblemException unprocessable(String kind, String detail) {
        return new ProblemException(HttpStatus.UNPROCESSABLE_CONTENT, kind, detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(HttpStatus.FORBIDDEN, "forbidden", detail);
    }

    public HttpStatus status() {
        return status;
    }

    public String kind() {
        return kind;
    }

    public ProblemDetail toProblemDetail() {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, getMessage());
        problem.setType(ProblemResponses.type(kind));
        properties.forEach(problem::setProperty);
        return problem;
    }
}
