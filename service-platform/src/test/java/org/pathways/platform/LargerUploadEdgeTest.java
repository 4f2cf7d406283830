package org.pathways.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pathways.platform.security.DevTokenIssuer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A path configured for larger uploads (an HSDS feed posted as a job) takes bodies over the service-wide limit up to
 * its own; over it is a 413 problem. A streamed upload (the gateway streams uploads on in chunks, having required
 * the caller to declare the length) is served. Other paths keep the service-wide limit.
 */
@SpringBootTest(classes = PlatformEdgeTest.EdgeApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pathways.security.jwt-secret=" + PlatformEdgeTest.SECRET, "pathways.security.jwt-issuer=edge-test",
        "pathways.http.max-request-body=4KB", "pathways.http.larger-request-bodies[/things]=16KB"})
class LargerUploadEdgeTest {

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();
    private final String token = new DevTokenIssuer(PlatformEdgeTest.SECRET, "edge-test")
            .issue("worker-1", "agency-a", Set.of("WORKER"), Duration.ofMinutes(5));

    private HttpResponse<String> post(HttpRequest.BodyPublisher body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/things"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A valid thing padded with whitespace (valid JSON) to about {@code size} characters. */
    private static String thing(int size) {
        return " ".repeat(size) + "{\"name\":\"ok\",\"count\":1}";
    }

    @Test
    void aDeclaredUploadOverTheServiceLimitButWithinThePathsIsServed() throws Exception {
        HttpResponse<String> response = post(HttpRequest.BodyPublishers.ofString(thing(8_000)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("agency-a:ok");
    }

    @Test
    void overThePathsLimitIs413() throws Exception {
        HttpResponse<String> response = post(HttpRequest.BodyPublishers.ofString(thing(20_000)));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(response.body()).contains("urn:pathways:problem:payload-too-large");
    }

    @Test
    void aStreamedUploadFromTheGatewayIsServed() throws Exception {
        // The gateway requires the caller's upload to declare its length, then streams it on in chunks.
        byte[] body = thing(8_000).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = post(
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("agency-a:ok");
    }
}
