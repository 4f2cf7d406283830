package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.gateway.GatewayApplication;
import org.pathways.identity.IdentityServiceApplication;
import org.pathways.testing.TokenClient;
import org.pathways.learner.LearnerProfileServiceApplication;
import org.pathways.testing.HttpApi;
import org.pathways.testing.SharedInfrastructure;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Real tokens from the real issuer, over HTTP: the identity-service signs people in with the authorization code
 * flow and PKCE and gives agency systems client-credentials tokens; the gateway and the learner-profile-service
 * behind it each check those tokens against the issuer's published keys (zero trust inside). A learner registered
 * by the council is the council's, not the college's, whichever kind of token asks; a token of another issuer, even
 * one signed with the right key, is refused at the gateway and at the service, and so is a token of our issuer minted
 * for another audience than the platform's API ({@code pathways-api}, required by default in the issuer mode).
 *
 * <p>This class runs its own issuer, learner service and gateway, configured with an issuer URI as the devstack
 * and production are, beside the shared-secret platform of the other end-to-end tests; the learner service takes
 * its own consumer group and database so that the two never share work.
 */
class IssuedTokensEndToEndTest {

    private static final String WEB_APP = "pathways-web";
    private static final String CALLBACK = "http://localhost:8080/login/callback";
    private static final List<ConfigurableApplicationContext> CONTEXTS = new ArrayList<>();

    private static ConfigurableApplicationContext issuerContext;
    private static URI issuer;
    private static URI otherIssuer;
    private static int learnerPort;
    private static int gatewayPort;

    @BeforeAll
    static void startTheIssuerAServiceAndTheGateway() {
        issuerContext = start(IdentityServiceApplication.run(issuerArgs()));
        issuer = URI.create("http://localhost:" + port(issuerContext));
        // Another issuer with its own key and its own URL, such as another partnership's, or an attacker's.
        otherIssuer = URI.create("http://localhost:" + port(start(IdentityServiceApplication.run(issuerArgs()))));

        Map<String, String> learner = new HashMap<>(SharedInfrastructure.serviceProperties("learner-profiles-oidc"));
        learner.put("spring.application.name", "learner-profile-service-oidc");
        learner.put("pathways.security.jwt-secret", "");
        learner.put("spring.security.oauth2.resourceserver.jwt.issuer-uri", issuer.toString());
        learner.put("spring.cloud.gateway.server.webmvc.function.enabled", "false");
        learnerPort = port(start(LearnerProfileServiceApplication.run(RunningPlatform.args(learner))));

        Map<String, String> gateway = new HashMap<>();
        gateway.put("pathways.gateway.routes.learners", "http://localhost:" + learnerPort);
        for (String route : List.of("opportunities", "referrals", "notifications", "progression")) {
            gateway.put("pathways.gateway.routes." + route, "http://localhost:9");
        }
        gateway.put("pathways.security.jwt-secret", "");
        gateway.put("spring.security.oauth2.resourceserver.jwt.issuer-uri", issuer.toString());
        gateway.put("spring.autoconfigure.exclude", RunningPlatform.WITHOUT_STORE_OR_BROKER);
        gatewayPort = port(start(GatewayApplication.run(RunningPlatform.args(gateway))));
    }

    @AfterAll
    static void stopThem() {
        CONTEXTS.reversed().forEach(ConfigurableApplicationContext::close);
        CONTEXTS.clear();
    }

    private static String[] issuerArgs() {
        return RunningPlatform.args(Map.of("spring.profiles.active", "demo",
                "spring.autoconfigure.exclude", RunningPlatform.WITHOUT_STORE_OR_BROKER,
                "spring.cloud.gateway.server.webmvc.function.enabled", "false"));
    }

    private static ConfigurableApplicationContext start(ConfigurableApplicationContext context) {
        CONTEXTS.add(context);
        return context;
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    private static String person(URI from, String username) throws Exception {
        return new TokenClient(from).signIn(WEB_APP, CALLBACK, username, "demo-password").accessToken();
    }

    private static String agencySystem(String clientId, String secret) throws Exception {
        return new TokenClient(issuer).clientCredentials(clientId, secret).accessToken();
    }

    private static String registerALearnerAsTheCouncil(String councilWorker) throws Exception {
        HttpApi.Response created = new HttpApi(gatewayPort).post("/api/learners", councilWorker, """
                {"givenName":"Ifeoma","familyName":"Oidc-Checked","dateOfBirth":"1993-03-14",
                 "email":"ifeoma.oidc@example.org","localityCode":"LS9","preferredLanguage":"en",
                 "confirmNotDuplicate":true}
                """);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return created.text("id");
    }

    @Test
    void peopleAndAgencySystemsWithIssuedTokensReachTheirOwnAgencysDataOnly() throws Exception {
        String councilWorker = person(issuer, "council-worker");
        String learnerId = registerALearnerAsTheCouncil(councilWorker);

        // The council, through the gateway and directly at the service: a person, and the council's own system.
        assertThat(new HttpApi(gatewayPort).get("/api/learners/" + learnerId, councilWorker).status()).isEqualTo(200);
        String councilSystem = agencySystem("agency-council-system", "council-system-secret");
        HttpApi.Response bySystem = new HttpApi(learnerPort).get("/api/learners/" + learnerId, councilSystem);
        assertThat(bySystem.status()).as(bySystem.body().toString()).isEqualTo(200);
        assertThat(bySystem.text("familyName")).isEqualTo("Oidc-Checked");

        // The college has no consent to see this learner: the same answer as for a learner who does not exist.
        for (String college : List.of(person(issuer, "college-admin"),
                agencySystem("agency-college-system", "college-system-secret"))) {
            HttpApi.Response refused = new HttpApi(gatewayPort).get("/api/learners/" + learnerId, college);
            assertThat(refused.status()).as(refused.body().toString()).isIn(403, 404);
            assertThat(refused.body().toString()).doesNotContain("Oidc-Checked").doesNotContain("ifeoma");
        }
    }

    @Test
    void tokensOfAnotherIssuerAreRefusedAtTheGatewayAndAtTheService() throws Exception {
        String councilWorker = person(issuer, "council-worker");
        String learnerId = registerALearnerAsTheCouncil(councilWorker);
        String path = "/api/learners/" + learnerId;

        // The same user name and claims, but signed in at another issuer.
        String foreign = person(otherIssuer, "council-worker");
        // Our issuer's own key, but naming another issuer.
        String wrongIssuer = signedWithTheIssuersKey(otherIssuer.toString());
        // Our issuer's key and URL, expired.
        String expired = signedWithTheIssuersKey(issuer.toString(), Instant.now().minusSeconds(600));
        // Our issuer's key and URL, unexpired, but minted for another resource.
        String otherAudience = signedWithTheIssuersKey(issuer.toString(), Instant.now().plusSeconds(300),
                "partner-reporting-api");

        for (int port : new int[] {gatewayPort, learnerPort}) {
            HttpApi api = new HttpApi(port);
            assertThat(api.get(path, councilWorker).status()).isEqualTo(200);
            for (String token : new String[] {foreign, wrongIssuer, expired, otherAudience, null}) {
                HttpApi.Response refused = api.get(path, token);
                assertThat(refused.status()).as("port %d: %s", port, refused.body()).isEqualTo(401);
                assertThat(refused.body().toString()).doesNotContain("Oidc-Checked");
            }
        }
        // The control: the issuer's key with its own URL and the platform's audience is accepted, so the refusals
        // above were about iss, exp and aud.
        assertThat(new HttpApi(learnerPort).get(path, signedWithTheIssuersKey(issuer.toString())).status())
                .isEqualTo(200);
    }

    private static String signedWithTheIssuersKey(String iss) throws Exception {
        return signedWithTheIssuersKey(iss, Instant.now().plusSeconds(300));
    }

    private static String signedWithTheIssuersKey(String iss, Instant expiresAt) throws Exception {
        return signedWithTheIssuersKey(iss, expiresAt, "pathways-api");
    }

    /** As the issuer would sign, with its private key from its own context: only iss, exp or aud differ. */
    @SuppressWarnings("unchecked")
    private static String signedWithTheIssuersKey(String iss, Instant expiresAt, String audience) throws Exception {
        JWKSource<SecurityContext> keys = issuerContext.getBean(JWKSource.class);
        RSAKey key = (RSAKey) keys.get(new JWKSelector(new JWKMatcher.Builder().privateOnly(true).build()), null)
                .get(0);
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(iss).audience(audience).subject("council-worker")
                .issueTime(Date.from(expiresAt.minusSeconds(900))).expirationTime(Date.from(expiresAt))
                .claim("agency", "agency-council").claim("roles", List.of("WORKER")).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
