package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

class TokensTest {

    private static final Path IDENTITY_CONFIG =
            Path.of("../../identity-service/src/main/resources/identity-service.yml");

    @TempDir
    Path dataDir;

    @Test
    void exportsEveryDemoPrincipalsTokenReadableOnlyByTheUser() throws Exception {
        Map<DemoTokens.DemoPrincipal, String> tokens = new LinkedHashMap<>();
        DemoTokens.ALL.forEach(principal -> tokens.put(principal, "token-of-" + principal.name()));
        Path file = dataDir.resolve(DemoTokens.FILE_NAME);

        new DemoTokens(tokens).writeEnvFile(file);

        List<String> exports = Files.readAllLines(file).stream().filter(line -> line.startsWith("export ")).toList();
        assertThat(exports).startsWith("export COLLEGE_TOKEN=token-of-college-admin",
                "export COUNCIL_TOKEN=token-of-council-admin", "export JOBCENTRE_TOKEN=token-of-jobcentre-admin",
                "export COORDINATOR_TOKEN=token-of-coordinator");
        assertThat(exports).contains("export COLLEGE_SYSTEM_TOKEN=token-of-agency-college-system");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    /** The devstack signs in as the demo principals; they must be the ones the issuer's demo profile configures. */
    @Test
    @SuppressWarnings("unchecked")
    void signsInWithTheCredentialsTheIssuersDemoProfileConfigures() throws Exception {
        Map<String, Object> demo = null;
        try (Reader reader = Files.newBufferedReader(IDENTITY_CONFIG, StandardCharsets.UTF_8)) {
            for (Object document : new Yaml(new LoaderOptions()).loadAll(reader)) {
                Map<String, Object> map = (Map<String, Object>) document;
                if (String.valueOf(map.get("spring")).contains("on-profile=demo")) {
                    demo = (Map<String, Object>) ((Map<String, Object>) map.get("pathways")).get("identity");
                }
            }
        }
        assertThat(demo).as("identity-service.yml has a demo profile").isNotNull();
        Map<String, String> passwords = new LinkedHashMap<>();
        ((List<Map<String, Object>>) demo.get("users")).forEach(user ->
                passwords.put((String) user.get("username"), (String) user.get("password")));
        Map<String, String> secrets = new LinkedHashMap<>();
        ((List<Map<String, Object>>) demo.get("clients")).forEach(client ->
                secrets.put((String) client.get("client-id"), (String) client.get("secret")));

        // Given encoded ("{bcrypt}..."), as the issuer reads them, or plain.
        org.springframework.security.crypto.password.PasswordEncoder encoder =
                org.springframework.security.crypto.factory.PasswordEncoderFactories.createDelegatingPasswordEncoder();
        for (DemoTokens.DemoPrincipal principal : DemoTokens.ALL) {
            String expected = principal.isAgencySystem() ? principal.secret() : DemoTokens.DEMO_PASSWORD;
            String configured = (principal.isAgencySystem() ? secrets : passwords).get(principal.name());
            assertThat(configured).as(principal.name()).isNotNull();
            assertThat(configured.startsWith("{") ? encoder.matches(expected, configured) : configured.equals(expected))
                    .as(principal.name() + "'s configured password or secret is " + expected).isTrue();
        }
        assertThat(secrets).containsKey(DemoTokens.WEB_APP_CLIENT);
    }
}
