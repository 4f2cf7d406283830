package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The machinery the isolation matrices share: the operations as the services' own OpenAPI documents list them, a
 * caller per agency and role, filling an operation's path from a scenario's resources, calling through the real
 * gateway, and collecting what went wrong by cell.
 */
final class OperationMatrix {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private OperationMatrix() {
    }

    /** One operation of the API as its service documents it. */
    record Operation(String service, String method, String template, List<String> requiredQuery,
                     List<String> headers, boolean hasBody) {

        String key() {
            return method + " " + template;
        }

        boolean read() {
            return method.equals("GET");
        }

        /** Whether its path names a resource (a learner, a referral, a consent…) rather than the caller's own. */
        boolean namesAResource() {
            return template.contains("{");
        }
    }

    /**
     * Every operation the given services document, reads first, then writes, deletions last: a wrongly allowed
     * write shows up without hiding other cells.
     */
    static List<Operation> operations(List<String> services) throws Exception {
        List<Operation> operations = new ArrayList<>();
        for (String service : services) {
            HttpResponse<String> response = call("GET", "/v3/api-docs/" + service, null, Map.of(), null);
            assertThat(response.statusCode()).as(service + " document").isEqualTo(200);
            JsonNode paths = JSON.readTree(response.body()).get("paths");
            for (String template : paths.propertyNames()) {
                JsonNode item = paths.get(template);
                for (String method : item.propertyNames()) {
                    JsonNode operation = item.get(method);
                    List<String> query = new ArrayList<>();
                    List<String> headers = new ArrayList<>();
                    for (JsonNode parameter : operation.path("parameters")) {
                        if (parameter.path("in").asString().equals("query") && parameter.path("required").asBoolean()) {
                            query.add(parameter.get("name").asString());
                        }
                        if (parameter.path("in").asString().equals("header")) {
                            headers.add(parameter.get("name").asString());
                        }
                    }
                    operations.add(new Operation(service, method.toUpperCase(), template, query, headers,
                            operation.has("requestBody")));
                }
            }
        }
        operations.sort(Comparator.comparingInt((Operation o) -> switch (o.method()) {
            case "GET" -> 0;
            case "DELETE" -> 2;
            default -> 1;
        }).thenComparing(Operation::key));
        return operations;
    }

    /**
     * The operation's path with every variable and required query parameter filled by the scenario; a variable or
     * parameter the scenario has no value for fails the test, naming it (an endpoint added tomorrow must be placed).
     */
    static String path(Operation operation, Function<String, String> variables, Function<String, String> query) {
        Matcher variable = Pattern.compile("\\{([^}]+)}").matcher(operation.template());
        StringBuilder filled = new StringBuilder();
        while (variable.find()) {
            String value = variables.apply(variable.group(1));
            assertThat(value).as("no value for {%s} in %s: tell the matrix which resource it names",
                    variable.group(1), operation.key()).isNotNull();
            variable.appendReplacement(filled, Matcher.quoteReplacement(value));
        }
        variable.appendTail(filled);
        String parameters = operation.requiredQuery().stream().map(name -> {
            String value = query.apply(name);
            assertThat(value).as("no value for required parameter %s of %s", name, operation.key()).isNotNull();
            return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
        }).reduce((x, y) -> x + "&" + y).map(q -> "?" + q).orElse("");
        return filled + parameters;
    }

    /** One role of one agency, with its token. */
    record Caller(String agency, Role role, String token) {

        static Caller of(String agency, Role role) {
            return new Caller(agency, role, TestTokens.token("matrix-" + role.name().toLowerCase() + "-" + agency,
                    agency, role));
        }

        /** The people who work with a learner: they read personal data where their agency has standing. */
        boolean worksWithLearners() {
            return role == Role.WORKER || role == Role.AGENCY_SYSTEM;
        }

        @Override
        public String toString() {
            return role + "@" + agency;
        }
    }

    /** Every role of each agency. */
    static List<Caller> callersOf(String... agencies) {
        return Stream.of(agencies).flatMap(agency -> Stream.of(Role.values()).map(role -> Caller.of(agency, role)))
                .toList();
    }

    /** What went wrong, by cell. */
    static final class Findings {
        private final List<String> found = new ArrayList<>();

        void add(String cell, String what) {
            found.add(cell + ": " + what);
        }

        List<String> all() {
            return found;
        }
    }

    static boolean containsAnyOf(String body, String... values) {
        return Stream.of(values).anyMatch(value -> value != null && body.contains(value));
    }

    /** The problem type of an answer ({@code urn:pathways:problem:…}), or "" when it is none. */
    static String problemType(HttpResponse<String> response) {
        if (response.statusCode() < 400 || response.body().isBlank()) {
            return "";
        }
        try {
            return JSON.readTree(response.body()).path("type").asString("");
        } catch (RuntimeException notJson) {
            return "(not a problem: " + response.headers().firstValue("Content-Type").orElse("") + ")";
        }
    }

    static HttpResponse<String> call(String method, String path, String token, Map<String, String> headers,
                                     String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + RunningPlatform.get().gatewayPort + path))
                .timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.request().method() + " " + response.uri() + " "
                + response.body()).isBetween(200, 299);
        return response.body();
    }

    static String id(String body) {
        return JSON.readTree(body).get("id").asString();
    }

    static String first(HttpResponse<String> response, String pointer, String otherwise) {
        if (response.statusCode() != 200) {
            return otherwise;
        }
        JsonNode found = JSON.readTree(response.body()).at(pointer);
        return found.isMissingNode() || found.asString().isBlank() ? otherwise : found.asString();
    }
}
