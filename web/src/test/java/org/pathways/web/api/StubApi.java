package org.pathways.web.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.web.client.RestClient;

import org.pathways.web.config.WebProperties;

/**
 * A stand-in for the platform's API (the gateway) on a local port, for tests of what a page sends the API and what it
 * does with the answer, without the whole platform: it records each request as the API would read it (the query
 * decoded as a servlet container decodes it, {@code +} as a space) and answers what the test says.
 */
public final class StubApi implements AutoCloseable {

    /** A request as the API read it. */
    public record Request(String method, String path, Map<String, String> query, String body, String idempotencyKey) {
    }

    /** An answer: its status and JSON body. */
    public record Answer(int status, String json) {
        public static Answer ok(String json) {
            return new Answer(200, json);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    /** The registrations whose token the web app forgot (after the API refused it). */
    private final List<String> forgotten = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Answer> answers = request -> Answer.ok("{}");

    public StubApi() {
        try {
            server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** What the API answers from now on. */
    public StubApi answering(Function<Request, Answer> answers) {
        this.answers = answers;
        return this;
    }

    /** Every request so far, oldest first. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public URI address() {
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }

    /** A refusal as the web app's API client makes it of the API's answer ({@code status}, a problem document). */
    public static ApiProblem refusal(int status, String body) {
        return ApiProblem.from(org.springframework.http.HttpStatusCode.valueOf(status),
                new org.springframework.http.HttpHeaders(), body.getBytes(StandardCharsets.UTF_8));
    }

    /** The registrations whose token the web app's API client forgot, oldest first. */
    public List<String> forgottenTokens() {
        return List.copyOf(forgotten);
    }

    /** The web app's API client, calling this stand-in (no one signed in: no token is added). */
    public PathwaysApi client() {
        OAuth2AuthorizedClientRepository tokens = new OAuth2AuthorizedClientRepository() {
            @Override
            public <T extends OAuth2AuthorizedClient> T loadAuthorizedClient(String registrationId,
                    Authentication principal, HttpServletRequest request) {
                return null;
            }

            @Override
            public void saveAuthorizedClient(OAuth2AuthorizedClient client, Authentication principal,
                                             HttpServletRequest request, HttpServletResponse response) {
            }

            @Override
            public void removeAuthorizedClient(String registrationId, Authentication principal,
                                               HttpServletRequest request, HttpServletResponse response) {
                forgotten.add(registrationId);
            }
        };
        return new PathwaysApi(RestClient.builder(), authorize -> null, tokens,
                new WebProperties(address(), "pathways"));
    }

    private void handle(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        Request request = new Request(exchange.getRequestMethod(), uri.getRawPath(), query(uri.getRawQuery()),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                exchange.getRequestHeaders().getFirst("Idempotency-Key"));
        requests.add(request);
        Answer answer = answers.apply(request);
        byte[] body = answer.json().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type",
                answer.status() >= 400 ? "application/problem+json" : "application/json");
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    /** The query's parameters decoded as the API's servlet container decodes them ({@code +} is a space). */
    private static Map<String, String> query(String raw) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int equals = pair.indexOf('=');
                String name = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : pair.substring(equals + 1);
                parameters.put(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        return parameters;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
