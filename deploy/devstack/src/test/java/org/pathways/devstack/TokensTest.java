package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;

class TokensTest {

    @TempDir
    Path dataDir;

    @Test
    void keepsTheSameSecretAcrossStartsSoThatIssuedTokensStayValid() throws Exception {
        String first = JwtSecret.loadOrCreate(dataDir);
        String second = JwtSecret.loadOrCreate(dataDir);

        assertThat(second).isEqualTo(first);
        assertThat(Base64.getUrlDecoder().decode(first)).hasSize(32);
    }

    @Test
    void aNewDataDirectoryGetsItsOwnSecret(@TempDir Path otherDataDir) throws Exception {
        assertThat(JwtSecret.loadOrCreate(otherDataDir)).isNotEqualTo(JwtSecret.loadOrCreate(dataDir));
    }

    @Test
    void exportsASignedTokenForEveryDemoPrincipal() throws Exception {
        String secret = JwtSecret.loadOrCreate(dataDir);
        Path file = dataDir.resolve(DemoTokens.FILE_NAME);

        new DemoTokens(secret).writeEnvFile(file);

        List<String> exports = Files.readAllLines(file).stream().filter(line -> line.startsWith("export ")).toList();
        assertThat(exports).extracting(line -> line.substring("export ".length(), line.indexOf('=')))
                .containsExactly("COLLEGE_TOKEN", "COUNCIL_TOKEN", "JOBCENTRE_TOKEN", "COORDINATOR_TOKEN");
        SignedJWT council = SignedJWT.parse(exports.get(1).substring(exports.get(1).indexOf('=') + 1));
        assertThat(council.verify(new MACVerifier(Base64.getUrlDecoder().decode(secret)))).isTrue();
        assertThat(council.getJWTClaimsSet().getIssuer()).isEqualTo("pathways-devstack");
        assertThat(council.getJWTClaimsSet().getSubject()).isEqualTo("worker-council");
        assertThat(council.getJWTClaimsSet().getStringClaim("agency")).isEqualTo("agency-council");
        assertThat(council.getJWTClaimsSet().getStringListClaim("roles")).containsExactly("WORKER", "AGENCY_ADMIN");
    }
}
