package org.pathways.platform.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;

/**
 * A token's signature checked once, its claims on every request. A worker's browser and an agency's system send the
 * same bearer token with every call for its lifetime (30 minutes from the identity-service); checking its RSA
 * signature again each time was a fifth of the gateway's CPU and a twentieth of the referral-service's under load
 * (docs/benchmarks.md), with C1-compiled big-number arithmetic.
 *
 * <p>{@code signatures} decodes and checks the signature only (no claim validation); this class runs
 * {@code claims} (expiry, not-before, issuer, audience) on every call, cached or not, and keeps a token whose
 * signature and claims both passed, keyed by its exact text, until the earlier of its expiry and
 * {@link #KEPT_AT_MOST} after the check: no longer than the JWK Set cache of the signature check keeps a retired key
 * (Nimbus: 5 minutes), and keys are retired only after every token they signed has expired
 * (docs/identity-service.md). A token that fails either check is never kept, so each call with it is checked in full
 * and refused as before. At most {@link #TOKENS_KEPT} tokens are kept (a few kilobytes each); the least used go
 * first.
 *
 * <p>Spring Security has no such decoder (spring-security#12830, declined: it leaves the choice to applications).
 */
final class VerifiedTokens implements JwtDecoder {

    static final Duration KEPT_AT_MOST = Duration.ofMinutes(5);
    static final int TOKENS_KEPT = 1_000;

    private final JwtDecoder signatures;
    private final OAuth2TokenValidator<Jwt> claims;
    private final Clock clock;
    private final Cache<String, Jwt> verified;

    VerifiedTokens(JwtDecoder signatures, OAuth2TokenValidator<Jwt> claims, Clock clock) {
        this.signatures = signatures;
        this.claims = claims;
        this.clock = clock;
        this.verified = Caffeine.newBuilder()
                .maximumSize(TOKENS_KEPT)
                .ticker(() -> clock.millis() * 1_000_000L)
                .expireAfter(Expiry.<String, Jwt>creating((token, jwt) -> keptFor(jwt)))
                .build();
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        Jwt jwt = verified.getIfPresent(token);
        boolean known = jwt != null;
        if (!known) {
            jwt = signatures.decode(token);
        }
        OAuth2TokenValidatorResult result = claims.validate(jwt);
        if (result.hasErrors()) {
            if (known) {
                verified.invalidate(token);
            }
            throw new JwtValidationException(describe(result.getErrors()), result.getErrors());
        }
        if (!known) {
            verified.put(token, jwt);
        }
        return jwt;
    }

    /** How many tokens are kept now (for tests). */
    long kept() {
        verified.cleanUp();
        return verified.estimatedSize();
    }

    private Duration keptFor(Jwt jwt) {
        Instant now = clock.instant();
        Instant expires = jwt.getExpiresAt();
        if (expires == null || !expires.isAfter(now)) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, expires);
        return left.compareTo(KEPT_AT_MOST) < 0 ? left : KEPT_AT_MOST;
    }

    /** As {@code NimbusJwtDecoder} words a refused token, so that callers see the same answer as before. */
    private static String describe(Collection<OAuth2Error> errors) {
        for (OAuth2Error error : errors) {
            if (error.getDescription() != null && !error.getDescription().isEmpty()) {
                return "An error occurred while attempting to decode the Jwt: " + error.getDescription();
            }
        }
        return "Unable to validate Jwt";
    }
}
