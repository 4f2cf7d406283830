package org.pathways.identity.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;

class SigningKeysTest {

    @Test
    void aRestartedIssuerSignsWithTheKeyItKeptSoEarlierTokensStayValid(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("identity").resolve("signing-key.json");

        RSAKey first = SigningKeys.loadOrCreate(file).get(0);
        RSAKey second = SigningKeys.loadOrCreate(file).get(0);

        assertThat(second.getKeyID()).isEqualTo(first.getKeyID());
        assertThat(second.toRSAPrivateKey()).isEqualTo(first.toRSAPrivateKey());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void withoutAFileEveryStartHasItsOwnKey() {
        assertThat(SigningKeys.loadOrCreate(null).get(0).getKeyID())
                .isNotEqualTo(SigningKeys.loadOrCreate(null).get(0).getKeyID());
    }

    @Test
    void aKeyFileOfOneJwkAsWrittenBeforeRotationIsStillRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("signing-key.json");
        RSAKey legacy = SigningKeyFile.generate();
        Files.writeString(file, legacy.toJSONString());

        assertThat(SigningKeys.loadOrCreate(file)).extracting(RSAKey::getKeyID).containsExactly(legacy.getKeyID());
    }

    @Test
    void afterARotationTheIssuerSignsWithTheNewKeyAndStillPublishesThePreviousUntilItIsRetired(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("signing-key.json");
        Issuer before = new Issuer(file);
        String previousToken = before.sign();

        List<RSAKey> rotated = new SigningKeyFile(file).rotate();
        Issuer after = new Issuer(file);
        String currentToken = after.sign();

        String previousKeyId = before.currentKeyId();
        assertThat(rotated).extracting(RSAKey::getKeyID).containsExactly(after.currentKeyId(), previousKeyId);
        assertThat(after.currentKeyId()).isNotEqualTo(previousKeyId);
        assertThat(SignedJWT.parse(currentToken).getHeader().getKeyID()).isEqualTo(after.currentKeyId());
        // Both halves published, only public ones: the previous key's tokens still verify.
        JWKSet published = after.published();
        assertThat(published.getKeys()).extracting(JWK::getKeyID).containsExactly(after.currentKeyId(), previousKeyId);
        assertThat(published.getKeys()).noneMatch(JWK::isPrivate);
        assertThat(verifies(previousToken, published)).isTrue();
        assertThat(verifies(currentToken, published)).isTrue();

        assertThatThrownBy(() -> new SigningKeyFile(file).retire(after.currentKeyId()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("current");
        new SigningKeyFile(file).retire(previousKeyId);
        Issuer retired = new Issuer(file);

        assertThat(retired.published().getKeys()).extracting(JWK::getKeyID).containsExactly(after.currentKeyId());
        assertThat(verifies(previousToken, retired.published())).isFalse();
        assertThat(verifies(currentToken, retired.published())).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    private static boolean verifies(String token, JWKSet published) throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        JWK key = published.getKeyByKeyId(jwt.getHeader().getKeyID());
        return key != null && jwt.verify(new RSASSAVerifier(key.toRSAKey()));
    }

    /** The issuer's keys and encoder as a (re)started issuer builds them from the file. */
    private record Issuer(ImmutableJWKSet<SecurityContext> keys) {

        Issuer(Path file) {
            this(new ImmutableJWKSet<>(new JWKSet(List.<JWK>copyOf(SigningKeys.loadOrCreate(file)))));
        }

        String currentKeyId() {
            return keys.getJWKSet().getKeys().get(0).getKeyID();
        }

        JWKSet published() {
            return keys.getJWKSet().toPublicJWKSet();
        }

        String sign() {
            JwtClaimsSet claims = JwtClaimsSet.builder().issuer("http://localhost:9000").subject("college-worker")
                    .expiresAt(Instant.now().plusSeconds(300)).build();
            return SigningKeys.encoder(keys).encode(JwtEncoderParameters.from(
                    JwsHeader.with(SignatureAlgorithm.RS256).build(), claims)).getTokenValue();
        }
    }
}
