package org.pathways.identity.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import com.nimbusds.jose.jwk.RSAKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {

    @Test
    void aRestartedIssuerSignsWithTheKeyItKeptSoEarlierTokensStayValid(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("identity").resolve("signing-key.json");

        RSAKey first = SigningKeys.loadOrCreate(file);
        RSAKey second = SigningKeys.loadOrCreate(file);

        assertThat(second.getKeyID()).isEqualTo(first.getKeyID());
        assertThat(second.toRSAPrivateKey()).isEqualTo(first.toRSAPrivateKey());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void withoutAFileEveryStartHasItsOwnKey() {
        assertThat(SigningKeys.loadOrCreate(null).getKeyID()).isNotEqualTo(SigningKeys.loadOrCreate(null).getKeyID());
    }
}
