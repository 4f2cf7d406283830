package org.pathways.platform.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Mints HS256 tokens with a shared secret, for this module's own tests (the other modules' tests use
 * platform-testing's TestTokens, which this module cannot depend on). Test scope only: no production jar can mint a
 * token.
 */
public final class DevTokenIssuer {

    private final byte[] secret;
    private final String issuer;

    public DevTokenIssuer(String base64UrlSecret, String issuer) {
        this.secret = Base64.getUrlDecoder().decode(base64UrlSecret);
        this.issuer = issuer;
        if (secret.length < 32) {
            throw new IllegalArgumentException("The JWT secret must be at least 32 bytes");
        }
    }

    public String issue(String subject, String agencyId, Set<String> roles, Duration ttl) {
        return issue(subject, agencyId, roles, Instant.now(), ttl);
    }

    public String issue(String subject, String agencyId, Set<String> roles, Instant issuedAt, Duration ttl) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(subject)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(issuedAt))
                .notBeforeTime(Date.from(issuedAt))
                .expirationTime(Date.from(issuedAt.plus(ttl)))
                .claim(Caller.AGENCY_CLAIM, agencyId)
                .claim(Caller.ROLES_CLAIM, List.copyOf(roles))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot sign a token", e);
        }
        return jwt.serialize();
    }
}
