package org.pathways.identity.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.pathways.identity.IdentityServiceApplication;
import org.pathways.testing.TokenClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The issuer started on a key file after a rotation (current key first, the previous one after it), over HTTP: it
 * signs with the current key only and publishes both, so tokens of the previous key still verify.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=" + IdentityServiceApplication.NAME, "spring.profiles.active=demo"})
class RotatedSigningKeysTest {

    private static final Path KEY_FILE = keyFile();
    private static final List<RSAKey> KEYS = new SigningKeyFile(KEY_FILE).rotate();

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        registry.add("pathways.identity.signing-key-file", KEY_FILE::toString);
    }

    private static Path keyFile() {
        try {
            Path file = Files.createTempDirectory("rotated-keys").resolve("signing-key.json");
            new SigningKeyFile(file).create();
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @LocalServerPort
    int port;

    @Test
    void signsWithTheCurrentKeyAndPublishesThePreviousOneToo() throws Exception {
        URI issuer = URI.create("http://localhost:" + port);
        String token = new TokenClient(issuer).clientCredentials("agency-college-system", "college-system-secret")
                .accessToken();
        JWKSet published = JWKSet.parse(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(issuer + "/oauth2/jwks")).build(), HttpResponse.BodyHandlers.ofString()).body());

        String current = KEYS.get(0).getKeyID();
        String previous = KEYS.get(1).getKeyID();
        assertThat(published.getKeys()).extracting(JWK::getKeyID).containsExactlyInAnyOrder(current, previous);
        assertThat(published.getKeys()).noneMatch(JWK::isPrivate);
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(current);
        assertThat(jwt.verify(new RSASSAVerifier(published.getKeyByKeyId(current).toRSAKey()))).isTrue();
    }
}
