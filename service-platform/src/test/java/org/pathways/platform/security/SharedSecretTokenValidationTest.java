package org.pathways.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The shared-secret HS256 tokens of the services' own tests: the same refusals as for an issuer's tokens. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        classes = IssuerTokenValidationTest.Service.class,
        properties = {"pathways.security.jwt-secret=" + SharedSecretTokenValidationTest.SECRET,
                "pathways.security.jwt-issuer=" + SharedSecretTokenValidationTest.ISSUER})
class SharedSecretTokenValidationTest {

    static final String SECRET = "c2hhcmVkLXNlY3JldC10ZXN0LW9mLWF0LWxlYXN0LXRoaXJ0eS10d28tYnl0ZXMh";
    static final String ISSUER = "pathways-test-issuer";
    private static final Set<String> WORKER = Set.of("WORKER");

    @LocalServerPort
    int port;

    private int statusOf(String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/whoami"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void acceptsATokenOfTheSecretAndIssuer() throws Exception {
        assertThat(statusOf(new DevTokenIssuer(SECRET, ISSUER).issue("w", "agency-a", WORKER, Duration.ofMinutes(5))))
                .isEqualTo(200);
    }

    @Test
    void refusesMissingExpiredAndForgedTokens() throws Exception {
        assertThat(statusOf(null)).isEqualTo(401);
        assertThat(statusOf(new DevTokenIssuer(SECRET, ISSUER).issue("w", "agency-a", WORKER,
                Instant.now().minus(Duration.ofHours(1)), Duration.ofMinutes(5)))).isEqualTo(401);
        assertThat(statusOf(new DevTokenIssuer("Zm9yZ2VkLXNlY3JldC1vZi1hdC1sZWFzdC10aGlydHktdHdvLWJ5dGVzLSEh", ISSUER)
                .issue("w", "agency-a", WORKER, Duration.ofMinutes(5)))).isEqualTo(401);
    }

    @Test
    void refusesATokenOfTheRightSecretNamingAnotherIssuer() throws Exception {
        assertThat(statusOf(new DevTokenIssuer(SECRET, "someone-else").issue("w", "agency-a", WORKER,
                Duration.ofMinutes(5)))).isEqualTo(401);
    }
}
