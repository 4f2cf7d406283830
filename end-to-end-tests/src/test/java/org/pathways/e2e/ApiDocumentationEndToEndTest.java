package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One Swagger UI page at the gateway, listing every service's own OpenAPI document, each routed to its service. */
class ApiDocumentationEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Each service and a few of the paths its document must list. */
    static final Map<String, Set<String>> MAIN_PATHS = Map.of(
            "learner-profile-service", Set.of("/api/learners", "/api/learners/{id}",
                    "/api/learners/{learnerId}/consents", "/api/learners/{learnerId}/audit"),
            "opportunity-catalogue-service", Set.of("/api/opportunities", "/api/opportunities/{id}",
                    "/api/agencies", "/api/matches", "/api/pathways"),
            "referral-service", Set.of("/api/referrals", "/api/referrals/{id}", "/api/referrals/{id}/transitions",
                    "/api/referrals/{id}/notes"),
            "notification-service", Set.of("/api/subscriptions", "/api/subscriptions/{id}", "/api/feed",
                    "/api/deliveries", "/api/notifications"),
            "progression-service", Set.of("/api/progression/summary"));

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + RunningPlatform.get().gatewayPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyServicesDocumentIsReachableThroughTheGatewayAndListsItsMainPaths() throws Exception {
        for (var service : MAIN_PATHS.entrySet()) {
            HttpResponse<String> response = get("/v3/api-docs/" + service.getKey());
            assertThat(response.statusCode()).as(service.getKey() + ": " + response.body()).isEqualTo(200);
            JsonNode document = JSON.readTree(response.body());
            assertThat(document.get("info").get("title").asString()).contains(service.getKey());
            assertThat(document.get("paths").propertyNames()).as(service.getKey()).containsAll(service.getValue());
            // "try it out" goes back through the gateway, and says a bearer token is needed
            assertThat(document.get("servers").get(0).get("url").asString()).isEqualTo("/");
            assertThat(document.at("/components/securitySchemes/bearer-jwt/scheme").asString()).isEqualTo("bearer");
            // the caller (and the learner service's access context) come from the token, never from a parameter
            List<String> parameters = new ArrayList<>();
            document.get("paths").forEach(item -> item.forEach(operation ->
                    operation.path("parameters").forEach(parameter -> parameters.add(parameter.get("name").asString()))));
            assertThat(parameters).as(service.getKey()).doesNotContain("caller", "access");
        }
    }

    @Test
    void theSwaggerUiPageListsThemAll() throws Exception {
        assertThat(get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
        HttpResponse<String> config = get("/v3/api-docs/swagger-config");
        assertThat(config.statusCode()).isEqualTo(200);
        JsonNode urls = JSON.readTree(config.body()).get("urls");
        assertThat(urls.findValuesAsString("url")).containsAll(MAIN_PATHS.keySet().stream()
                .map(service -> "/v3/api-docs/" + service).toList());
    }
}
