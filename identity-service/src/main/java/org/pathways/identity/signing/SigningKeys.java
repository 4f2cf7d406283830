package org.pathways.identity.signing;

import java.nio.file.Path;
import java.util.List;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.SecurityContext;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.pathways.identity.directory.IdentityProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * The RS256 key pairs tokens are signed with. Kept in a file when one is configured, so that a restarted issuer
 * still vouches for the tokens it issued before (the devstack's tokens.env survives restarts); otherwise one key made
 * afresh in memory, which suits tests. The file may hold previous keys after the current one ({@link SigningKeyFile}):
 * the issuer signs with the current key only and publishes the public half of every key at the JWK Set endpoint,
 * so that tokens signed before a rotation stay valid until they expire.
 */
@Configuration(proxyBeanMethods = false)
public class SigningKeys {

    private static final Log LOG = LogFactory.getLog(SigningKeys.class);

    /** Every key, current first: what the JWK Set endpoint publishes (public halves) and the issuer signs with. */
    @Bean
    ImmutableJWKSet<SecurityContext> jwkSource(IdentityProperties properties) {
        return new ImmutableJWKSet<>(new JWKSet(List.<JWK>copyOf(loadOrCreate(properties.signingKeyFile()))));
    }

    /** Signs with the current key only: the first of the set, whatever previous keys are still published. */
    @Bean
    JwtEncoder jwtEncoder(ImmutableJWKSet<SecurityContext> jwkSource) {
        return encoder(jwkSource);
    }

    static JwtEncoder encoder(ImmutableJWKSet<SecurityContext> jwkSource) {
        String currentKeyId = jwkSource.getJWKSet().getKeys().get(0).getKeyID();
        NimbusJwtEncoder encoder = new NimbusJwtEncoder(jwkSource);
        encoder.setJwkSelector(candidates -> candidates.stream()
                .filter(key -> currentKeyId.equals(key.getKeyID())).findFirst()
                .orElseThrow(() -> new IllegalStateException("The current signing key is not in the key set")));
        return encoder;
    }

    /** Every key, current first. */
    static List<RSAKey> loadOrCreate(Path file) {
        if (file == null) {
            RSAKey created = SigningKeyFile.generate();
            LOG.info("Signing tokens with the in-memory key " + created.getKeyID()
                    + "; it is gone on restart (set pathways.identity.signing-key-file to keep it)");
            return List.of(created);
        }
        SigningKeyFile keyFile = new SigningKeyFile(file);
        if (!keyFile.exists()) {
            List<RSAKey> created = keyFile.create();
            LOG.info("Created the signing key " + created.get(0).getKeyID() + " in " + file);
            return created;
        }
        List<RSAKey> stored = keyFile.read();
        LOG.info("Signing tokens with the key " + stored.get(0).getKeyID() + " from " + file
                + (stored.size() > 1 ? "; still publishing the previous keys "
                        + stored.stream().skip(1).map(RSAKey::getKeyID).toList() : ""));
        return stored;
    }
}
