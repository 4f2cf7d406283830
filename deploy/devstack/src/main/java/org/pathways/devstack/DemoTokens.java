package org.pathways.devstack;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pathways.testing.TokenClient;

/**
 * Ready-made tokens of the demo principals, obtained from the running identity-service the way real clients get
 * them: the people sign in through the web app's public client (authorization code + PKCE), the agencies' systems
 * use client credentials. {@code source .devstack/tokens.env} and call the gateway.
 */
final class DemoTokens {

    static final String FILE_NAME = "tokens.env";
    /** How long the issuer makes the devstack's access tokens valid: a working day, then the file goes stale. */
    static final Duration TTL = Duration.ofHours(12);
    /** The demo users' password and the web app's client, as identity-service.yml's "demo" profile configures them. */
    static final String DEMO_PASSWORD = "demo-password";
    static final String WEB_APP_CLIENT = "pathways-web";
    static final String WEB_APP_REDIRECT = "http://localhost:8080/login/callback";

    /**
     * Someone the demo acts as: the variable tokens.env exports the token in, and the demo user or agency-system
     * client the token is for.
     */
    record DemoPrincipal(String variable, String name, String description) {

        boolean isAgencySystem() {
            return name.endsWith("-system");
        }

        /** Demo agency systems' secrets follow "agency-college-system" → "college-system-secret". */
        String secret() {
            return name.substring("agency-".length()) + "-secret";
        }
    }

    static final DemoPrincipal COLLEGE = new DemoPrincipal("COLLEGE_TOKEN", "college-admin",
            "agency-college, WORKER and AGENCY_ADMIN");
    static final DemoPrincipal COUNCIL = new DemoPrincipal("COUNCIL_TOKEN", "council-admin",
            "agency-council, WORKER and AGENCY_ADMIN");
    static final DemoPrincipal JOBCENTRE = new DemoPrincipal("JOBCENTRE_TOKEN", "jobcentre-admin",
            "agency-jobcentre, WORKER and AGENCY_ADMIN");
    static final DemoPrincipal COORDINATOR = new DemoPrincipal("COORDINATOR_TOKEN", "coordinator",
            "partnership, COORDINATOR");
    static final DemoPrincipal PLATFORM_ADMIN = new DemoPrincipal("PLATFORM_ADMIN_TOKEN", "platform-admin",
            "partnership, PLATFORM_ADMIN");
    static final DemoPrincipal COLLEGE_WORKER = new DemoPrincipal("COLLEGE_WORKER_TOKEN", "college-worker",
            "agency-college, WORKER only");
    static final DemoPrincipal COLLEGE_SYSTEM = new DemoPrincipal("COLLEGE_SYSTEM_TOKEN", "agency-college-system",
            "agency-college's own system, AGENCY_SYSTEM (client credentials)");
    static final DemoPrincipal COUNCIL_SYSTEM = new DemoPrincipal("COUNCIL_SYSTEM_TOKEN", "agency-council-system",
            "agency-council's own system, AGENCY_SYSTEM (client credentials)");
    static final DemoPrincipal JOBCENTRE_SYSTEM = new DemoPrincipal("JOBCENTRE_SYSTEM_TOKEN",
            "agency-jobcentre-system", "agency-jobcentre's own system, AGENCY_SYSTEM (client credentials)");
    static final List<DemoPrincipal> ALL = List.of(COLLEGE, COUNCIL, JOBCENTRE, COORDINATOR, PLATFORM_ADMIN,
            COLLEGE_WORKER, COLLEGE_SYSTEM, COUNCIL_SYSTEM, JOBCENTRE_SYSTEM);

    private final Map<DemoPrincipal, String> tokens;

    DemoTokens(Map<DemoPrincipal, String> tokens) {
        this.tokens = new LinkedHashMap<>(tokens);
    }

    /** Asks the issuer for a token for every demo principal. */
    static DemoTokens obtain(URI issuer) throws IOException, InterruptedException {
        TokenClient client = new TokenClient(issuer);
        Map<DemoPrincipal, String> tokens = new LinkedHashMap<>();
        for (DemoPrincipal principal : ALL) {
            TokenClient.Tokens answer = principal.isAgencySystem()
                    ? client.clientCredentials(principal.name(), principal.secret())
                    : client.signIn(WEB_APP_CLIENT, WEB_APP_REDIRECT, principal.name(), DEMO_PASSWORD);
            tokens.put(principal, answer.accessToken());
        }
        return new DemoTokens(tokens);
    }

    String tokenOf(DemoPrincipal principal) {
        return tokens.get(principal);
    }

    /** Writes {@code export COLLEGE_TOKEN=...} lines, readable only by the user. */
    void writeEnvFile(Path file) throws IOException {
        StringBuilder text = new StringBuilder("# Demo tokens from the devstack's identity-service, valid for ")
                .append(TTL.toHours()).append(" hours from ").append(Instant.now())
                .append(". Rewritten on every start; more with deploy/devstack/token <user|client>.\n# Use: source ")
                .append(file).append('\n');
        tokens.forEach((principal, token) -> text.append("# ").append(principal.name()).append(": ")
                .append(principal.description()).append('\n')
                .append("export ").append(principal.variable()).append('=').append(token).append('\n'));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        try {
            // Anyone who reads the file can act as every demo principal for the next hours.
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system; the data directory's own permissions apply.
        }
    }
}
