package org.pathways.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A service configured with an OpenID Connect issuer, as in the devstack and production: it finds the issuer's keys
 * through discovery and accepts a token only when the issuer's key signed it with RS256, it names exactly that
 * issuer, it names the platform's audience ({@code pathways-api}, on by default), and it has not expired. The issuer here is a small stand-in serving discovery and a JWK Set over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        classes = IssuerTokenValidationTest.Service.class)
class IssuerTokenValidationTest {

    private static final RSAKey ISSUER_KEY = rsaKey("issuer-key");
    private static final RSAKey OTHER_KEY = rsaKey("issuer-key");
    private static final HttpServer ISSUER = issuerServing(ISSUER_KEY);
    private static final String ISSUER_URI = "http://localhost:" + ISSUER.getAddress().getPort();

    @SpringBootApplication
    @RestController
    static class Service {
        @GetMapping("/whoami")
        String whoami(Caller caller) {
            return caller.userId() + "@" + caller.agencyId() + " " + caller.roles();
        }
    }

    @DynamicPropertySource
    static void issuer(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", () -> ISSUER_URI);
    }

    @AfterAll
    static void stopIssuer() {
        ISSUER.stop(0);
    }

    @LocalServerPort
    int port;

    private static RSAKey rsaKey(String keyId) {
        try {
            return new RSAKeyGenerator(2048).keyID(keyId).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Discovery and the public JWK Set, as any OpenID provider serves them. */
    private static HttpServer issuerServing(RSAKey key) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            String base = "http://localhost:" + server.getAddress().getPort();
            respond(server, "/.well-known/openid-configuration", """
                    {"issuer":"%s","jwks_uri":"%s/jwks","authorization_endpoint":"%s/authorize",
                     "token_endpoint":"%s/token","response_types_supported":["code"],
                     "subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"]}
                    """.formatted(base, base, base, base));
            respond(server, "/jwks", new JWKSet(key.toPublicJWK()).toString());
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(HttpServer server, String path, String json) {
        server.createContext(path, exchange -> {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
    }

    private static JWTClaimsSet.Builder claims(String issuer, Instant expiresAt) {
        return new JWTClaimsSet.Builder().issuer(issuer).subject("college-worker").jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(Instant.now().minusSeconds(60)))
                .expirationTime(expiresAt == null ? null : Date.from(expiresAt))
                .audience(SecurityProperties.PLATFORM_AUDIENCE)
                .claim(Caller.AGENCY_CLAIM, "agency-college").claim(Caller.ROLES_CLAIM, List.of("WORKER"));
    }

    private static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static Instant inFiveMinutes() {
        return Instant.now().plus(Duration.ofMinutes(5));
    }

    private HttpResponse<String> whoami(String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/whoami"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void acceptsATokenTheIssuerSigned() throws Exception {
        HttpResponse<String> response = whoami(rs256(ISSUER_KEY, claims(ISSUER_URI, inFiveMinutes()).build()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("college-worker@agency-college [WORKER]");
    }

    @Test
    void refusesNoToken() throws Exception {
        HttpResponse<String> response = whoami(null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).startsWith("Bearer"));
    }

    @Test
    void refusesAnExpiredToken() throws Exception {
        assertThat(whoami(rs256(ISSUER_KEY, claims(ISSUER_URI, Instant.now().minus(Duration.ofMinutes(10)))
                .build())).statusCode()).isEqualTo(401);
    }

    @Test
    void refusesATokenThatNeverExpires() throws Exception {
        assertThat(whoami(rs256(ISSUER_KEY, claims(ISSUER_URI, null).build())).statusCode()).isEqualTo(401);
    }

    @Test
    void refusesATokenSignedWithAnotherKeyUnderTheSameKeyId() throws Exception {
        assertThat(whoami(rs256(OTHER_KEY, claims(ISSUER_URI, inFiveMinutes()).build())).statusCode())
                .isEqualTo(401);
    }

    @Test
    void refusesATokenOfTheRightKeyNamingAnotherIssuer() throws Exception {
        String otherIssuer = rs256(ISSUER_KEY, claims("http://localhost:9999", inFiveMinutes()).build());
        String noIssuer = rs256(ISSUER_KEY, claims(null, inFiveMinutes()).build());

        assertThat(whoami(otherIssuer).statusCode()).isEqualTo(401);
        assertThat(whoami(noIssuer).statusCode()).isEqualTo(401);
    }

    @Test
    void acceptsATokenNamingThePlatformAmongOtherAudiences() throws Exception {
        JWTClaimsSet token = claims(ISSUER_URI, inFiveMinutes())
                .audience(List.of("pathways-web", SecurityProperties.PLATFORM_AUDIENCE)).build();

        assertThat(whoami(rs256(ISSUER_KEY, token)).statusCode()).isEqualTo(200);
    }

    @Test
    void refusesATokenOfTheRightKeyAndIssuerMintedForAnotherAudience() throws Exception {
        // Signed by the issuer, its issuer, unexpired: but for another resource (say, a partner's reporting API).
        String otherAudience = rs256(ISSUER_KEY, claims(ISSUER_URI, inFiveMinutes())
                .audience("partner-reporting-api").build());
        String noAudience = rs256(ISSUER_KEY, claims(ISSUER_URI, inFiveMinutes()).audience((String) null).build());

        HttpResponse<String> refused = whoami(otherAudience);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain("college-worker");
        assertThat(whoami(noAudience).statusCode()).isEqualTo(401);
    }

    @Test
    void refusesAnUnsignedToken() throws Exception {
        String unsigned = new PlainJWT(claims(ISSUER_URI, inFiveMinutes()).build()).serialize();

        assertThat(whoami(unsigned).statusCode()).isEqualTo(401);
    }

    @Test
    void refusesAnHmacTokenKeyedWithTheIssuersPublicKey() throws Exception {
        // The classic algorithm confusion: HS256 "signed" with the public key everyone can fetch.
        byte[] publicKey = ISSUER_KEY.toRSAPublicKey().getEncoded();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims(ISSUER_URI, inFiveMinutes()).build());
        jwt.sign(new MACSigner(publicKey));

        assertThat(whoami(jwt.serialize()).statusCode()).isEqualTo(401);
    }
}
