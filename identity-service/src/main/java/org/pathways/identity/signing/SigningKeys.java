package org.pathways.identity.signing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.pathways.identity.directory.IdentityProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The RS256 key pair tokens are signed with. Kept in a file when one is configured, so that a restarted issuer
 * still vouches for the tokens it issued before (the devstack's tokens.env survives restarts); otherwise made
 * afresh in memory, which suits tests. Only the public half is ever published, at the JWK Set endpoint.
 */
@Configuration(proxyBeanMethods = false)
public class SigningKeys {

    private static final Log LOG = LogFactory.getLog(SigningKeys.class);

    @Bean
    JWKSource<SecurityContext> jwkSource(IdentityProperties properties) {
        return new ImmutableJWKSet<>(new JWKSet(loadOrCreate(properties.signingKeyFile())));
    }

    static RSAKey loadOrCreate(Path file) {
        try {
            if (file != null && Files.isRegularFile(file)) {
                RSAKey stored = RSAKey.parse(Files.readString(file, StandardCharsets.UTF_8));
                if (!stored.isPrivate()) {
                    throw new IllegalStateException(file + " holds no private key");
                }
                LOG.info("Signing tokens with the key " + stored.getKeyID() + " from " + file);
                return stored;
            }
            RSAKey created = generate();
            if (file != null) {
                write(file, created);
                LOG.info("Created the signing key " + created.getKeyID() + " in " + file);
            } else {
                LOG.info("Signing tokens with the in-memory key " + created.getKeyID()
                        + "; it is gone on restart (set pathways.identity.signing-key-file to keep it)");
            }
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write the signing key " + file, e);
        } catch (ParseException e) {
            throw new IllegalStateException(file + " is not a JWK: " + e.getMessage(), e);
        }
    }

    private static RSAKey generate() {
        try {
            RSAKey key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
            // The thumbprint as key id: stable for the key, and different for any other.
            return new RSAKey.Builder(key).keyIDFromThumbprint().build();
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot generate an RSA key", e);
        }
    }

    /** Whoever reads this file can mint tokens: owner only, written whole before it is seen. */
    private static void write(Path file, RSAKey key) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path partial = Files.createTempFile(directory, ".signing-key", ".tmp");
        try {
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the directory's own permissions apply.
        }
        Files.writeString(partial, key.toJSONString(), StandardCharsets.UTF_8);
        Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
