package org.pathways.platform.problem;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/** Problem-details responses written outside Spring MVC (security filters), and the type URIs of every kind. */
public final class ProblemResponses {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemResponses() {
    }

    public static URI type(String kind) {
        return URI.create("urn:pathways:problem:" + kind);
    }

    /** The stable kind of an error that has no kind of its own (one Spring, Tomcat or a servlet answered). */
    public static String kindOf(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> "bad-request";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 414 -> "uri-too-long";
            case 415 -> "unsupported-media-type";
            case 431 -> "headers-too-large";
            default -> status.is4xxClientError() ? "client-error" : "internal";
        };
    }

    /** Problem details for an error with no detail of its own: its kind and a plain sentence. */
    public static void write(HttpServletResponse response, HttpStatus status) throws IOException {
        write(response, status, kindOf(status), status.is4xxClientError()
                ? "The request was refused: " + status.getReasonPhrase() + "."
                : "Something went wrong on our side; nothing was changed by a partial write.");
    }

    public static void write(HttpServletResponse response, HttpStatus status, String kind, String detail)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type(kind).toString());
        body.put("title", status.getReasonPhrase());
        body.put("status", status.value());
        body.put("detail", detail);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        JSON.writeValue(response.getOutputStream(), body);
    }
}
