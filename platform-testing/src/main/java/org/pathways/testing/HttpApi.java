package org.pathways.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/** Calls the running service over real HTTP, as the gateway would. */
public final class HttpApi {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    public HttpApi(int port) {
        this.base = "http://localhost:" + port;
    }

    /** {@code body} is sent as is when it is a String (raw JSON, possibly hostile), else serialized. */
    public Response post(String path, String token, Object body) {
        String json = body instanceof String raw ? raw : JSON.writeValueAsString(body);
        return send(request(path, token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response get(String path, String token) {
        return send(request(path, token).GET());
    }

    public Response delete(String path, String token) {
        return send(request(path, token).DELETE());
    }

    public Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isBlank() ? MissingNode.getInstance() : JSON.readTree(response.body());
            return new Response(response.statusCode(), response.headers().firstValue("Location"),
                    response.headers().firstValue("Content-Type").orElse(""), body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path));
        return token == null ? builder : builder.header("Authorization", "Bearer " + token);
    }

    public record Response(int status, Optional<String> location, String contentType, JsonNode body) {

        public String text(String field) {
            return body.path(field).asString();
        }

        /** A problem-details answer with this status and {@code type} kind. */
        public boolean isProblem(int expectedStatus, String kind) {
            return status == expectedStatus && contentType.startsWith("application/problem+json")
                    && ("urn:pathways:problem:" + kind).equals(text("type"));
        }
    }
}
