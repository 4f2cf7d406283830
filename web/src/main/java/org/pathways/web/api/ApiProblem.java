package org.pathways.web.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;

import tools.jackson.databind.json.JsonMapper;

/**
 * The API refused: its RFC 9457 problem details, kept whole so that a page can show the detail and act on the
 * type (a duplicate warning, a missing consent, a stale version).
 */
public class ApiProblem extends RuntimeException {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpStatusCode status;
    private final Map<String, Object> body;
    private final HttpHeaders headers;

    ApiProblem(HttpStatusCode status, Map<String, Object> body, HttpHeaders headers) {
        super("The API answered " + status.value() + " " + body.getOrDefault("type", ""));
        this.status = status;
        this.body = body;
        this.headers = headers;
    }

    @SuppressWarnings("unchecked")
    static ApiProblem from(HttpStatusCode status, HttpHeaders headers, byte[] content) {
        Map<String, Object> body;
        try {
            body = content.length == 0 ? Map.of() : JSON.readValue(content, Map.class);
        } catch (RuntimeException notJson) {
            body = Map.of("detail", new String(content, StandardCharsets.UTF_8));
        }
        HttpHeaders kept = new HttpHeaders();
        kept.putAll(headers);
        body = ApiObject.of(body);
        return status.value() == 404 ? new NotFound(body, kept) : new ApiProblem(status, body, kept);
    }

    public HttpStatusCode status() {
        return status;
    }

    /** The whole problem document, with any extension members (e.g. possible duplicates). */
    public Map<String, Object> body() {
        return body;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /**
     * The last segment of the problem's type URI, e.g. {@code consent-required} of
     * {@code urn:pathways:problem:consent-required} (or of an http URI ending {@code /consent-required}).
     */
    public String kind() {
        Object type = body.get("type");
        if (type == null) {
            return "";
        }
        String text = type.toString();
        return text.substring(Math.max(text.lastIndexOf('/'), text.lastIndexOf(':')) + 1);
    }

    /**
     * The API's own words for the refusal (its {@code detail}, else its {@code title}). The fields it named as not
     * valid, and what to say about them in the page's language, are {@code page.Problems}' business.
     */
    public String detail() {
        Object detail = body.get("detail");
        if (detail == null) {
            detail = body.get("title");
        }
        return detail == null ? null : detail.toString();
    }

    /** Not found, or not the caller's to see: the API does not say which, and neither do we. */
    public static final class NotFound extends ApiProblem {
        NotFound(Map<String, Object> body, HttpHeaders headers) {
            super(HttpStatusCode.valueOf(404), body, headers);
        }
    }
}
