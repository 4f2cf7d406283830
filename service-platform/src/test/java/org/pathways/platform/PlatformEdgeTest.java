package org.pathways.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.junit.jupiter.api.Test;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.DevTokenIssuer;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The HTTP edge every service shares: who may call, and what every error looks like. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pathways.security.jwt-secret=" + PlatformEdgeTest.SECRET, "pathways.security.jwt-issuer=edge-test"})
class PlatformEdgeTest {

    static final String SECRET = "ZWRnZS10ZXN0LXNlY3JldC1vZi1hdC1sZWFzdC10aGlydHktdHdvLWJ5dGVzIQ";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @SpringBootApplication
    @RestController
    static class EdgeApplication {
        record Thing(@NotBlank @Size(max = 10) String name, int count) {
        }

        @PostMapping("/things")
        String create(Caller caller, @Valid @RequestBody Thing thing) {
            return caller.agencyId() + ":" + thing.name();
        }

        /** A constrained path variable beside the body: Spring validates the whole method, body included. */
        @PostMapping("/things/{id}/parts")
        String part(@PathVariable @Pattern(regexp = "[a-z]{1,8}") String id, @Valid @RequestBody Thing thing) {
            return id + ":" + thing.name();
        }

        @GetMapping("/things/{id}/card")
        java.util.Map<String, Object> card(@PathVariable String id) {
            return java.util.Map.of("id", id, "count", 1);
        }

        @GetMapping("/things/{id}")
        String get(Caller caller, @PathVariable @Pattern(regexp = "[a-z]{1,8}") String id,
                   @RequestParam(required = false) @Size(max = 3) String tag) {
            return id;
        }
    }

    @LocalServerPort
    int port;

    private final String token = new DevTokenIssuer(SECRET, "edge-test")
            .issue("worker-1", "agency-a", Set.of("WORKER"), Duration.ofMinutes(5));

    private HttpResponse<String> send(String method, String path, String body, String contentType, String bearer)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode problem(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        return JSON.readTree(response.body());
    }

    @Test
    void theCallersAgencyComesFromTheToken() throws Exception {
        HttpResponse<String> response = send("POST", "/things", "{\"name\":\"ok\",\"count\":1}",
                "application/json", token);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("agency-a:ok");
    }

    @Test
    void onlyAProblemIsLabelledAProblemWhateverTheClientAccepts() throws Exception {
        HttpResponse<String> card = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/things/abc/card"))
                .header("Authorization", "Bearer " + token).header("Accept", "application/problem+json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(card.statusCode()).isEqualTo(200);
        assertThat(card.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(card.body()).path("id").asString()).isEqualTo("abc");
    }

    @Test
    void noTokenIsA401ProblemWithABearerChallenge() throws Exception {
        HttpResponse<String> response = send("GET", "/things/abc", null, null, null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).startsWith("Bearer"));
        assertThat(problem(response).get("type").asString()).isEqualTo("urn:pathways:problem:unauthenticated");
    }

    @Test
    void bodyValidationNamesTheFields() throws Exception {
        JsonNode problem = problem(send("POST", "/things", "{\"name\":\"\",\"count\":1}", "application/json", token));
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("name");
        assertThat(problem.get("errors").get(0).get("code").asString())
                .as("the constraint, for a client to say in its own words").isEqualTo("NotBlank");
    }

    @Test
    void bodyValidationNamesTheBodysFieldsAlsoBesideAConstrainedParameter() throws Exception {
        JsonNode problem = problem(send("POST", "/things/abc/parts", "{\"name\":\"\",\"count\":1}",
                "application/json", token));
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("errors").findValuesAsString("field")).containsExactly("name");
        assertThat(problem.get("errors").findValuesAsString("code")).containsExactly("NotBlank");
    }

    @Test
    void parameterValidationNamesTheParameters() throws Exception {
        HttpResponse<String> response = send("GET", "/things/ABC?tag=toolong", null, null, token);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(problem(response).get("errors").findValuesAsString("field")).contains("id", "tag");
        assertThat(problem(response).get("errors").findValuesAsString("code")).contains("Size");
    }

    @Test
    void wrongTypesAndUnknownFieldsAre400NotGuesses() throws Exception {
        for (String body : new String[] {"{\"name\":\"a\",\"count\":2.5}", "{\"name\":{\"$gt\":\"\"},\"count\":1}",
                "{\"name\":\"a\",\"count\":1,\"admin\":true}", "{\"name\":\"a\",\"count\":\"1x\"}",
                "{\"name\":\"a\",\"count\":\"1\"}", "{"}) {
            HttpResponse<String> response = send("POST", "/things", body, "application/json", token);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(problem(response).get("type").asString()).as(body).startsWith("urn:pathways:problem:");
        }
    }

    @Test
    void errorsSpringAnswersItselfCarryOurStableTypes() throws Exception {
        HttpResponse<String> notAllowed = send("DELETE", "/things/abc", null, null, token);
        assertThat(problem(notAllowed).path("type").asString()).as(notAllowed.body())
                .isEqualTo("urn:pathways:problem:method-not-allowed");


        JsonNode unsupported = problem(send("POST", "/things", "name=a", "text/plain", token));
        assertThat(unsupported.get("type").asString()).isEqualTo("urn:pathways:problem:unsupported-media-type");
        HttpResponse<String> unknown = send("GET", "/nowhere", null, null, token);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(problem(unknown).path("type").asString()).as(unknown.body())
                .isEqualTo("urn:pathways:problem:not-found");
        // The error page asked for directly, with no error behind it: nothing there, not "something went wrong".
        HttpResponse<String> errorPage = send("GET", "/error", null, null, token);
        assertThat(errorPage.statusCode()).as(errorPage.body()).isEqualTo(404);
        assertThat(problem(errorPage).path("type").asString()).isEqualTo("urn:pathways:problem:not-found");
    }

    @Test
    void theApiDocumentIsOpenAndDescribesTheEndpointsButNotTheCaller() throws Exception {
        HttpResponse<String> response = send("GET", "/v3/api-docs", null, null, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode document = JSON.readTree(response.body());
        assertThat(document.get("openapi").asString()).startsWith("3.");
        assertThat(document.get("paths").propertyNames()).contains("/things", "/things/{id}");
        JsonNode get = document.get("paths").get("/things/{id}").get("get");
        assertThat(get.get("parameters").findValuesAsString("name")).containsExactlyInAnyOrder("id", "tag");
        assertThat(document.get("components").get("securitySchemes").has("bearer-jwt")).isTrue();
        assertThat(document.get("servers").get(0).get("url").asString()).isEqualTo("/");
        // What a standard linter asks of every operation (Redocly's operation-summary, operation-4xx-response):
        // a summary, and the problem details it may answer with.
        document.get("paths").forEach(path -> path.forEach(operation -> {
            assertThat(operation.path("summary").asString()).isNotBlank();
            assertThat(operation.get("responses").propertyNames()).anyMatch(code -> code.startsWith("4"));
        }));
        assertThat(get.get("summary").asString()).matches("[A-Z][a-z]+( [a-z0-9]+)*");
        assertThat(get.at("/responses/401/content").has("application/problem+json")).isTrue();
        assertThat(get.at("/responses/400/content/application~1problem+json/schema/$ref").asString())
                .isEqualTo("#/components/schemas/Problem");
        // Open documentation does not open anything else.
        assertThat(send("GET", "/things/abc", null, null, null).statusCode()).isEqualTo(401);
    }
}
