package org.pathways.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Calls the platform's public API through the gateway, as any agency's system would, with a bearer token. */
final class GatewayApi {

    /** What came back: the status, and the body both parsed (when it is JSON) and as text for error messages. */
    record Reply(int status, JsonNode body, String text) {

        boolean succeeded() {
            return status >= 200 && status < 300;
        }

        /** The string field {@code name} of the body, or null. */
        String field(String name) {
            JsonNode value = body == null ? null : body.get(name);
            return value == null || value.isNull() ? null : value.asString();
        }

        /** The whole-number field {@code name} of the body, or null. */
        Long number(String name) {
            JsonNode value = body == null ? null : body.get(name);
            return value == null || !value.isNumber() ? null : value.asLong();
        }

        /** "HTTP 422: {problem details}", the text a developer needs to see why a call was refused. */
        String describe() {
            return "HTTP " + status + (text == null || text.isBlank() ? "" : ": " + text.strip());
        }
    }

    private final String baseUrl;
    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    GatewayApi(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** GETs {@code path} with the token. */
    Reply get(String path, String token) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json, application/problem+json")
                .GET().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), parse(response.body()), response.body());
    }

    /** POSTs {@code body} as JSON (no body when null) with the token and any extra headers. */
    Reply post(String path, String token, Object body, Map<String, String> headers)
            throws IOException, InterruptedException {
        return send("POST", path, token, body, headers);
    }

    /** Sends {@code body} as JSON (no body when null) by {@code method} with the token and any extra headers. */
    Reply send(String method, String path, String token, Object body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json, application/problem+json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        }
        headers.forEach(request::header);
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), parse(response.body()), response.body());
    }

    private JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (JacksonException e) {
            // Not JSON (an HTML error page of a proxy, say); the text is still shown in errors.
            return null;
        }
    }
}
