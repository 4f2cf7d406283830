package org.pathways.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;

/**
 * Bearer tokens signed (HS256) with the tests' shared secret, which the services under test accept when
 * {@code pathways.security.jwt-secret} is set (SharedInfrastructure sets it). Test scope only: no production jar can
 * mint a token, and a service configured with both a secret and an issuer refuses to start.
 */
public final class TestTokens {

    public static final String SECRET = "dGVzdC1zZWNyZXQtb2YtYXQtbGVhc3QtdGhpcnR5LXR3by1ieXRlcy0hIQ";
    public static final String ISSUER = "pathways-test";
    private static final String FORGED_SECRET = "Zm9yZ2VkLXNlY3JldC1vZi1hdC1sZWFzdC10aGlydHktdHdvLWJ5dGVzLSEh";

    private TestTokens() {
    }

    public static String worker(String agencyId) {
        return token("worker-" + agencyId, agencyId, Role.WORKER, Role.AGENCY_ADMIN);
    }

    public static String token(String subject, String agencyId, Role... roles) {
        return sign(SECRET, subject, agencyId, Instant.now(), Duration.ofMinutes(30), roles);
    }

    public static String expired(String agencyId) {
        return sign(SECRET, "worker-" + agencyId, agencyId, Instant.now().minus(Duration.ofHours(2)),
                Duration.ofMinutes(30), Role.WORKER);
    }

    /** Signed with another secret: must be refused. */
    public static String forged(String agencyId) {
        return sign(FORGED_SECRET, "worker-" + agencyId, agencyId, Instant.now(), Duration.ofMinutes(30), Role.WORKER);
    }

    private static String sign(String secret, String subject, String agencyId, Instant issuedAt, Duration ttl,
                               Role... roles) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(subject)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(issuedAt))
                .notBeforeTime(Date.from(issuedAt))
                .expirationTime(Date.from(issuedAt.plus(ttl)))
                .claim(Caller.AGENCY_CLAIM, agencyId)
                .claim(Caller.ROLES_CLAIM, Arrays.stream(roles).map(Role::name).distinct().toList())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(Base64.getUrlDecoder().decode(secret)));
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot sign a test token", e);
        }
        return jwt.serialize();
    }
}
