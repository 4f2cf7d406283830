package org.pathways.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * A signing-key rotation at the issuer, as a service's token check (the decoder every service and the gateway
 * build in the issuer mode) meets it: the issuer publishes its new key beside the previous one, so tokens signed
 * before the rotation keep working until they expire; once the previous key is retired from the published set, a
 * service that reads the set refuses them. The issuer is a stand-in serving discovery and a JWK Set over HTTP.
 */
class SigningKeyRotationTest {

    private final AtomicReference<JWKSet> published = new AtomicReference<>();
    private final HttpServer issuer = issuerServing(published);
    private final String issuerUri = "http://localhost:" + issuer.getAddress().getPort();

    @AfterEach
    void stopIssuer() {
        issuer.stop(0);
    }

    @Test
    void tokensOfThePreviousKeyStayValidAfterARotationAndAreRefusedOnceItIsRetired() throws Exception {
        RSAKey previous = new RSAKeyGenerator(2048).keyIDFromThumbprint(true).generate();
        RSAKey current = new RSAKeyGenerator(2048).keyIDFromThumbprint(true).generate();
        published.set(publicSet(previous));
        JwtDecoder running = serviceDecoder();
        String beforeRotation = token(previous);
        assertThat(running.decode(beforeRotation).getSubject()).isEqualTo("college-worker");

        // Rotation: the issuer signs with the new key and publishes both.
        published.set(publicSet(current, previous));
        String afterRotation = token(current);

        assertThat(running.decode(afterRotation).getSubject()).as("a new key id is fetched").isEqualTo("college-worker");
        assertThat(running.decode(beforeRotation).getSubject()).as("the previous key still counts")
                .isEqualTo("college-worker");
        assertThat(serviceDecoder().decode(beforeRotation).getSubject()).as("also at a service started after it")
                .isEqualTo("college-worker");

        // Retirement: the previous key is no longer published.
        published.set(publicSet(current));
        JwtDecoder startedAfterRetirement = serviceDecoder();

        assertThatThrownBy(() -> startedAfterRetirement.decode(beforeRotation)).isInstanceOf(JwtException.class);
        // A service already running keeps the set it read for the JWK cache's lifetime (Nimbus: 5 minutes), which
        // is why a key is retired only after every token it signed has expired (docs/identity-service.md).
        assertThat(startedAfterRetirement.decode(afterRotation).getSubject()).isEqualTo("college-worker");
    }

    private JwtDecoder serviceDecoder() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.security.oauth2.resourceserver.jwt.issuer-uri", issuerUri);
        return new PlatformSecurityAutoConfiguration().issuerJwtDecoder(environment,
                new SecurityProperties(null, null, SecurityProperties.PLATFORM_AUDIENCE));
    }

    private String token(RSAKey key) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuerUri).subject("college-worker")
                .audience(SecurityProperties.PLATFORM_AUDIENCE)
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .claim(Caller.AGENCY_CLAIM, "agency-college").claim(Caller.ROLES_CLAIM, List.of("WORKER")).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static JWKSet publicSet(RSAKey... keys) {
        return new JWKSet(List.<JWK>of(keys)).toPublicJWKSet();
    }

    private static HttpServer issuerServing(AtomicReference<JWKSet> keys) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            String base = "http://localhost:" + server.getAddress().getPort();
            String discovery = """
                    {"issuer":"%s","jwks_uri":"%s/jwks","authorization_endpoint":"%s/authorize",
                     "token_endpoint":"%s/token","response_types_supported":["code"],
                     "subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"]}
                    """.formatted(base, base, base, base);
            server.createContext("/.well-known/openid-configuration", exchange -> respond(exchange, discovery));
            server.createContext("/jwks", exchange -> respond(exchange, keys.get().toString()));
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
