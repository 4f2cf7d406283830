package org.pathways.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pathways.platform.security.DevTokenIssuer;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Without a management port (the devstack): the service port, which agency users reach through the gateway, does not
 * serve the Prometheus scrape to anyone, token or not; the rest of actuator is as before.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pathways.security.jwt-secret=" + PrometheusOnServicePortTest.SECRET, "pathways.security.jwt-issuer=port-test",
        "spring.config.import=classpath:pathways-platform.yml",
        // Boot switches metrics export off in tests; let the registry and its endpoint exist, as in a service.
        "management.prometheus.metrics.export.enabled=true"})
class PrometheusOnServicePortTest {

    static final String SECRET = "cG9ydC10ZXN0LXNlY3JldC1vZi1hdC1sZWFzdC10aGlydHktdHdvLWJ5dGVzIQ";

    @SpringBootApplication
    static class ServicePortApplication {
    }

    @LocalServerPort
    int port;

    private final String agencyToken = new DevTokenIssuer(SECRET, "port-test")
            .issue("worker-1", "agency-a", Set.of("WORKER", "MANAGER"), Duration.ofMinutes(5));
    private final String operatorToken = new DevTokenIssuer(SECRET, "port-test")
            .issue("ops-1", "partnership", Set.of("PLATFORM_ADMIN"), Duration.ofMinutes(5));

    private HttpResponse<String> get(String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void noOneReadsThePrometheusScrapeOnTheServicePort() throws Exception {
        for (String bearer : new String[] {null, agencyToken, operatorToken}) {
            HttpResponse<String> scrape = get("/actuator/prometheus", bearer);
            assertThat(scrape.statusCode()).isIn(401, 403, 404);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(scrape.body()).doesNotContain("jvm_memory");
        }
        assertThat(get("/actuator/metrics", null).statusCode()).isEqualTo(401);
        assertThat(get("/actuator/health/readiness", null).statusCode()).isEqualTo(200);
    }

    @Test
    void operationalFiguresAreForPlatformAdminsNotForAgencyStaff() throws Exception {
        HttpResponse<String> refused = get("/actuator/metrics", agencyToken);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).doesNotContain("jvm.memory");
        HttpResponse<String> allowed = get("/actuator/metrics", operatorToken);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.body()).contains("jvm.memory.used");
    }
}
