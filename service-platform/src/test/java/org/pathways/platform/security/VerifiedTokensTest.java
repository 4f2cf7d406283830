package org.pathways.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * A token's RS256 signature is checked once while the token is valid; its claims on every call. The signature check
 * is the real Nimbus decoder the services build, counted; the claims' check the platform's validator, on a clock the
 * test moves.
 */
class VerifiedTokensTest {

    private static final String ISSUER = "http://localhost:9000";
    private static RSAKey key;
    private static RSAKey otherKey;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-06T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    };
    private final AtomicInteger signaturesChecked = new AtomicInteger();
    private final VerifiedTokens tokens = decoder(audience("pathways-api"));

    @BeforeAll
    static void keys() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("current").generate();
        otherKey = new RSAKeyGenerator(2048).keyID("current").generate();
    }

    @Test
    void theSignatureOfATokenUsedAgainIsCheckedOnce() throws Exception {
        String token = token(key, "pathways-api", Duration.ofMinutes(30));

        for (int call = 0; call < 5; call++) {
            assertThat(tokens.decode(token).getSubject()).isEqualTo("college-worker");
        }

        assertThat(signaturesChecked).hasValue(1);
    }

    @Test
    void aTokenCheckedBeforeIsRefusedOnceItExpires() throws Exception {
        String token = token(key, "pathways-api", Duration.ofMinutes(2));
        tokens.decode(token);

        now.set(now.get().plus(Duration.ofMinutes(4)));   // past its expiry and the validator's minute of skew

        assertThatThrownBy(() -> tokens.decode(token)).isInstanceOf(JwtValidationException.class)
                .hasMessageContaining("expired");
        assertThat(tokens.kept()).isZero();
    }

    @Test
    void aTokenWithTheSameClaimsAndAnotherSignatureIsRefused() throws Exception {
        String genuine = token(key, "pathways-api", Duration.ofMinutes(30));
        tokens.decode(genuine);
        String forged = token(otherKey, "pathways-api", Duration.ofMinutes(30));
        String[] parts = forged.split("\\.");
        String genuineClaimsForgedSignature = genuine.substring(0, genuine.lastIndexOf('.') + 1) + parts[2];

        assertThatThrownBy(() -> tokens.decode(forged)).isInstanceOf(BadJwtException.class);
        assertThatThrownBy(() -> tokens.decode(genuineClaimsForgedSignature)).isInstanceOf(BadJwtException.class);
        assertThat(tokens.decode(genuine).getSubject()).isEqualTo("college-worker");
    }

    @Test
    void aKeptTokenWhoseClaimsNoLongerPassIsRefusedAndForgotten() throws Exception {
        AtomicBoolean claimsPass = new AtomicBoolean(true);
        VerifiedTokens switchable = decoder(jwt -> claimsPass.get() ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "no longer accepted", null)));
        String token = token(key, "pathways-api", Duration.ofMinutes(30));
        switchable.decode(token);
        assertThat(switchable.kept()).isOne();

        claimsPass.set(false);

        assertThatThrownBy(() -> switchable.decode(token)).isInstanceOf(JwtValidationException.class)
                .hasMessageContaining("no longer accepted");
        assertThat(switchable.kept()).isZero();
        assertThat(signaturesChecked).as("the refusal came from the claims, on the kept token").hasValue(1);
    }

    @Test
    void aRefusedTokenIsCheckedInFullEachTime() throws Exception {
        String forAnotherResource = token(key, "another-api", Duration.ofMinutes(30));

        for (int call = 0; call < 3; call++) {
            assertThatThrownBy(() -> tokens.decode(forAnotherResource)).isInstanceOf(JwtValidationException.class)
                    .hasMessageContaining("aud");
        }

        assertThat(signaturesChecked).hasValue(3);
        assertThat(tokens.kept()).isZero();
    }

    @Test
    void aLongLivedTokenHasItsSignatureCheckedAgainAfterFiveMinutes() throws Exception {
        String token = token(key, "pathways-api", Duration.ofMinutes(30));
        tokens.decode(token);
        now.set(now.get().plus(VerifiedTokens.KEPT_AT_MOST).minusSeconds(1));
        tokens.decode(token);
        assertThat(signaturesChecked).hasValue(1);

        now.set(now.get().plusSeconds(2));
        tokens.decode(token);

        assertThat(signaturesChecked).hasValue(2);
    }

    private VerifiedTokens decoder(OAuth2TokenValidator<Jwt> claims) {
        NimbusJwtDecoder nimbus;
        try {
            nimbus = NimbusJwtDecoder.withPublicKey((RSAPublicKey) key.toPublicKey()).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        nimbus.setJwtValidator(jwt -> OAuth2TokenValidatorResult.success());
        JwtDecoder counted = token -> {
            signaturesChecked.incrementAndGet();
            return nimbus.decode(token);
        };
        return new VerifiedTokens(counted, claims, clock);
    }

    /** The platform's checks (as {@link PlatformSecurityAutoConfiguration#validator}) on the test's clock. */
    private OAuth2TokenValidator<Jwt> audience(String audience) {
        JwtTimestampValidator timestamps = new JwtTimestampValidator();
        timestamps.setAllowEmptyExpiryClaim(false);
        timestamps.setClock(clock);
        return JwtValidators.createDefaultWithValidators(List.of(timestamps, new JwtAudienceValidator(audience)));
    }

    private String token(RSAKey signer, String audience, Duration validFor) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).subject("college-worker").audience(audience)
                .issueTime(Date.from(now.get())).expirationTime(Date.from(now.get().plus(validFor)))
                .claim(Caller.AGENCY_CLAIM, "agency-college").claim(Caller.ROLES_CLAIM, List.of("WORKER")).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(signer));
        return jwt.serialize();
    }
}
