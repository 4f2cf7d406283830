package org.pathways.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Base64;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.pathways.testing.TokenClient;
import org.pathways.testing.TokenClient.TokenRequestFailed;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The issuer over real HTTP, as the devstack, the web app and an agency's system meet it: discovery and keys, the
 * client credentials grant, and a person signing in with the authorization code flow and PKCE. Every token must
 * verify against the published key and carry exactly the agency and roles the services read.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=" + IdentityServiceApplication.NAME, "spring.profiles.active=demo"})
class IdentityServiceTest {

    static final String WEB_APP = "pathways-web";
    static final String CALLBACK = "http://localhost:8080/login/callback";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    private URI issuer() {
        return URI.create("http://localhost:" + port);
    }

    private JWTClaimsSet verified(String token) throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        HttpResponse<String> keys = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(new TokenClient(issuer()).discovery().get("jwks_uri").asString())).build(),
                HttpResponse.BodyHandlers.ofString());
        JWKSet published = JWKSet.parse(keys.body());
        RSAKey key = (RSAKey) published.getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(key).as("the token's kid is published").isNotNull();
        assertThat(key.isPrivate()).as("only the public half is published").isFalse();
        assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo(issuer().toString());
        assertThat(claims.getExpirationTime()).isAfter(java.util.Date.from(Instant.now()));
        return claims;
    }

    @Test
    void publishesOpenIdDiscoveryWithPkceAndItsSigningKeys() throws Exception {
        JsonNode discovery = new TokenClient(issuer()).discovery();

        assertThat(discovery.get("issuer").asString()).isEqualTo(issuer().toString());
        assertThat(discovery.get("token_endpoint").asString()).isEqualTo(issuer() + "/oauth2/token");
        assertThat(discovery.get("code_challenge_methods_supported").toString()).contains("S256");
        assertThat(discovery.get("grant_types_supported").toString())
                .contains("client_credentials", "authorization_code");
        HttpResponse<String> keys = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(discovery.get("jwks_uri").asString())).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode key = JSON.readTree(keys.body()).get("keys").get(0);
        assertThat(key.get("kty").asString()).isEqualTo("RSA");
        assertThat(key.has("d")).as("no private exponent").isFalse();
    }

    @Test
    void anAgencySystemGetsATokenForItsAgencyWithClientCredentials() throws Exception {
        TokenClient.Tokens tokens = new TokenClient(issuer()).clientCredentials("agency-college-system",
                "college-system-secret");

        JWTClaimsSet claims = verified(tokens.accessToken());
        assertThat(claims.getSubject()).isEqualTo("agency-college-system");
        assertThat(claims.getStringClaim("agency")).isEqualTo("agency-college");
        assertThat(claims.getStringListClaim("roles")).containsExactly("AGENCY_SYSTEM");
        assertThat(claims.getAudience()).containsExactlyInAnyOrder("agency-college-system", "pathways-api");
        assertThat(tokens.expiresInSeconds()).isPositive();
    }

    @Test
    void aWrongClientSecretGetsNoToken() throws Exception {
        String basic = Base64.getEncoder().encodeToString("agency-college-system:guess".getBytes());
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(issuer() + "/oauth2/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("invalid_client").doesNotContain("access_token");
    }

    @Test
    void aPersonSignsInWithPkceAndGetsTheirOwnAgencyAndRoles() throws Exception {
        TokenClient.Tokens tokens = new TokenClient(issuer()).signIn(WEB_APP, CALLBACK, "council-admin",
                "demo-password");

        JWTClaimsSet access = verified(tokens.accessToken());
        assertThat(access.getSubject()).isEqualTo("council-admin");
        assertThat(access.getStringClaim("agency")).isEqualTo("agency-council");
        assertThat(access.getStringListClaim("roles")).containsExactly("AGENCY_ADMIN", "WORKER");
        assertThat(access.getAudience()).containsExactlyInAnyOrder(WEB_APP, "pathways-api");
        JWTClaimsSet id = verified(tokens.idToken());
        assertThat(id.getAudience()).containsExactly(WEB_APP);
        assertThat(id.getStringClaim("agency")).isEqualTo("agency-council");
    }

    @Test
    void aCoordinatorActsForThePartnership() throws Exception {
        JWTClaimsSet claims = verified(new TokenClient(issuer()).signIn(WEB_APP, CALLBACK, "coordinator",
                "demo-password").accessToken());

        assertThat(claims.getStringClaim("agency")).isEqualTo("partnership");
        assertThat(claims.getStringListClaim("roles")).containsExactly("COORDINATOR");
    }

    @Test
    void aWrongPasswordSignsNobodyIn() {
        assertThatThrownBy(() -> new TokenClient(issuer()).signIn(WEB_APP, CALLBACK, "college-worker", "guess"))
                .isInstanceOf(TokenRequestFailed.class).hasMessageContaining("refused");
    }

    @Test
    void thePublicClientCannotStartASignInWithoutPkce() throws Exception {
        HttpResponse<Void> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(issuer()
                        + "/oauth2/authorize?response_type=code&client_id=" + WEB_APP + "&scope=openid&redirect_uri="
                        + CALLBACK + "&state=s1")).build(), HttpResponse.BodyHandlers.discarding());

        // Refused before any sign-in: back to the client with an error, never to the login page.
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(location -> assertThat(location)
                .startsWith(CALLBACK).contains("error=invalid_request").doesNotContain("code="));
    }

    @Test
    void anAuthorizationCodeIsWorthlessWithoutItsVerifierAndRedeemedOnlyOnce() throws Exception {
        TokenClient issuer = new TokenClient(issuer());
        TokenClient.AuthorizationCode code = issuer.authorize(WEB_APP, CALLBACK, "jobcentre-worker", "demo-password");
        TokenClient.AuthorizationCode stolen = new TokenClient.AuthorizationCode(code.clientId(), code.redirectUri(),
                code.code(), null);
        TokenClient.AuthorizationCode guessed = new TokenClient.AuthorizationCode(code.clientId(), code.redirectUri(),
                code.code(), "a-verifier-of-at-least-forty-three-characters-but-wrong");

        assertThatThrownBy(() -> issuer.redeem(stolen)).isInstanceOf(TokenRequestFailed.class)
                .hasMessageContaining("HTTP 401");
        assertThatThrownBy(() -> issuer.redeem(guessed)).isInstanceOf(TokenRequestFailed.class)
                .hasMessageContaining("invalid_grant");
        assertThat(verified(issuer.redeem(code).accessToken()).getStringClaim("agency")).isEqualTo("agency-jobcentre");
        assertThatThrownBy(() -> issuer.redeem(code)).isInstanceOf(TokenRequestFailed.class)
                .hasMessageContaining("invalid_grant");
    }

    @Test
    void healthIsOpenForProbes() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(issuer() + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }
}
