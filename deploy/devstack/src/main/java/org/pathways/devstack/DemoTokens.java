package org.pathways.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.pathways.platform.security.DevTokenIssuer;

/**
 * Ready-made tokens for the demo principals, one per partner agency plus the partnership's coordinator, so that
 * trying the API needs no identity provider: {@code source .devstack/tokens.env} and call the gateway.
 */
final class DemoTokens {

    /** What the services require every token's {@code iss} to be; set on each service alongside the secret. */
    static final String ISSUER = "pathways-devstack";
    static final String FILE_NAME = "tokens.env";
    /** Long enough for a working day, short enough that a leaked file goes stale. */
    static final Duration TTL = Duration.ofHours(12);

    /** Someone the demo acts as: the variable tokens.env exports the token in, and the token's claims. */
    record DemoPrincipal(String variable, String subject, String agencyId, Set<String> roles) {
    }

    static final DemoPrincipal COLLEGE = new DemoPrincipal("COLLEGE_TOKEN", "worker-college", "agency-college",
            roles("WORKER", "AGENCY_ADMIN"));
    static final DemoPrincipal COUNCIL = new DemoPrincipal("COUNCIL_TOKEN", "worker-council", "agency-council",
            roles("WORKER", "AGENCY_ADMIN"));
    static final DemoPrincipal JOBCENTRE = new DemoPrincipal("JOBCENTRE_TOKEN", "worker-jobcentre",
            "agency-jobcentre", roles("WORKER", "AGENCY_ADMIN"));
    static final DemoPrincipal COORDINATOR = new DemoPrincipal("COORDINATOR_TOKEN", "coordinator-1", "partnership",
            roles("COORDINATOR"));
    static final List<DemoPrincipal> ALL = List.of(COLLEGE, COUNCIL, JOBCENTRE, COORDINATOR);

    private final DevTokenIssuer issuer;
    private final Map<DemoPrincipal, String> tokens = new LinkedHashMap<>();

    DemoTokens(String base64UrlSecret) {
        this.issuer = new DevTokenIssuer(base64UrlSecret, ISSUER);
        Instant now = Instant.now();
        for (DemoPrincipal principal : ALL) {
            tokens.put(principal, issuer.issue(principal.subject(), principal.agencyId(), principal.roles(), now, TTL));
        }
    }

    /** Ordered so that the token lists its roles in the order given, which reads better when decoded. */
    static Set<String> roles(String... roles) {
        return new LinkedHashSet<>(List.of(roles));
    }

    String tokenOf(DemoPrincipal principal) {
        return tokens.get(principal);
    }

    /** Writes {@code export COLLEGE_TOKEN=...} lines, readable only by the user. */
    void writeEnvFile(Path file) throws IOException {
        StringBuilder text = new StringBuilder("# Demo tokens of the Pathways devstack, valid for ")
                .append(TTL.toHours()).append(" hours from ").append(Instant.now())
                .append(". Rewritten on every start.\n# Use: source ").append(file).append('\n');
        tokens.forEach((principal, token) -> text.append("# ").append(principal.subject()).append(" at ")
                .append(principal.agencyId()).append(", roles ").append(String.join(",", principal.roles()))
                .append('\n').append("export ").append(principal.variable()).append('=').append(token).append('\n'));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        JwtSecret.ownerOnly(file);
    }
}
