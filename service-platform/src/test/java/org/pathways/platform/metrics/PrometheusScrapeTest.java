package org.pathways.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.DevTokenIssuer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * With a separate management port (as in compose and Kubernetes): Prometheus reads the metrics there without a token,
 * while the service port, the only one the gateway routes to, gives no metrics to anyone without a token and serves
 * no actuator endpoint but health and info at all.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pathways.security.jwt-secret=" + PrometheusScrapeTest.SECRET, "pathways.security.jwt-issuer=scrape-test",
        "spring.application.name=scrape-test",
        // The services' shared settings, with the management port set as compose and Kubernetes set it (0: random).
        "spring.config.import=classpath:pathways-platform.yml", "MANAGEMENT_PORT=0",
        // Boot switches metrics export off in tests; as in a running service, let the Prometheus registry exist.
        "management.prometheus.metrics.export.enabled=true"})
class PrometheusScrapeTest {

    static final String SECRET = "c2NyYXBlLXRlc3Qtc2VjcmV0LW9mLWF0LWxlYXN0LXRoaXJ0eS10d28tYnl0ZXMh";

    @SpringBootApplication
    @RestController
    static class ScrapeApplication {
        @GetMapping("/things")
        String things(Caller caller) {
            return caller.agencyId();
        }
    }

    @LocalServerPort
    int servicePort;

    @Autowired
    Environment environment;

    private final String agencyToken = new DevTokenIssuer(SECRET, "scrape-test")
            .issue("worker-1", "agency-a", Set.of("WORKER"), Duration.ofMinutes(5));

    private int managementPort() {
        return environment.getRequiredProperty("local.management.port", Integer.class);
    }

    private static HttpResponse<String> get(int port, String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void prometheusScrapesTheManagementPortWithoutATokenInTextFormat() throws Exception {
        assertThat(managementPort()).isNotEqualTo(servicePort);
        get(servicePort, "/things", agencyToken); // one request, so that HTTP server metrics exist

        HttpResponse<String> scrape = get(managementPort(), "/actuator/prometheus", null);

        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain").contains("version=0.0.4"));
        assertThat(scrape.body())
                .contains("# TYPE jvm_memory_used_bytes gauge")
                .contains("application=\"scrape-test\"")
                .contains("http_server_requests_seconds_bucket{");
    }

    @Test
    void theServicePortGivesNoMetricsWithoutATokenAndNoActuatorBeyondHealthWithOne() throws Exception {
        for (String path : new String[] {"/actuator/prometheus", "/actuator/metrics", "/actuator/metrics/jvm.memory.used"}) {
            assertThat(get(servicePort, path, null).statusCode()).as(path + " without a token").isEqualTo(401);
            // Actuator beyond health and info is for platform admins: refused before it could say what exists.
            assertThat(get(servicePort, path, agencyToken).statusCode()).as(path + " with an agency token")
                    .isIn(403, 404);
        }
        assertThat(get(servicePort, "/things", null).statusCode()).isEqualTo(401);
        assertThat(get(servicePort, "/things", agencyToken).body()).isEqualTo("agency-a");
    }

    @Test
    void theManagementPortOpensOnlyTheScrapeAndTheProbes() throws Exception {
        assertThat(get(managementPort(), "/actuator/metrics", null).statusCode()).isEqualTo(401);
        assertThat(get(managementPort(), "/actuator/metrics/jvm.memory.used", null).statusCode()).isEqualTo(401);
        assertThat(get(managementPort(), "/actuator/health/liveness", null).statusCode()).isEqualTo(200);
        assertThat(get(managementPort(), "/actuator/health/readiness", null).statusCode()).isEqualTo(200);
        // A look-alike path on the management port is not the endpoint: it meets the platform's chain.
        assertThat(get(managementPort(), "/actuator/prometheus/../metrics", null).statusCode()).isNotEqualTo(200);
        assertThat(get(managementPort(), "/things", null).statusCode()).isEqualTo(401);
    }
}
