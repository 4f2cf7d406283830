package org.pathways.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import org.pathways.platform.security.DevTokenIssuer;
import org.pathways.platform.security.Role;

/** Bearer tokens signed with the test secret, as the devstack's issuer signs them. */
public final class TestTokens {

    public static final String SECRET = "dGVzdC1zZWNyZXQtb2YtYXQtbGVhc3QtdGhpcnR5LXR3by1ieXRlcy0hIQ";
    public static final String ISSUER = "pathways-test";

    private static final DevTokenIssuer ISSUER_OF_TESTS = new DevTokenIssuer(SECRET, ISSUER);

    private TestTokens() {
    }

    public static String worker(String agencyId) {
        return token("worker-" + agencyId, agencyId, Role.WORKER, Role.AGENCY_ADMIN);
    }

    public static String token(String subject, String agencyId, Role... roles) {
        Set<String> names = Arrays.stream(roles).map(Role::name).collect(Collectors.toSet());
        return ISSUER_OF_TESTS.issue(subject, agencyId, names, Duration.ofMinutes(30));
    }

    public static String expired(String agencyId) {
        Set<String> names = Set.of(Role.WORKER.name());
        return ISSUER_OF_TESTS.issue("worker-" + agencyId, agencyId, names, Instant.now().minus(Duration.ofHours(2)),
                Duration.ofMinutes(30));
    }

    /** Signed with another secret: must be refused. */
    public static String forged(String agencyId) {
        return new DevTokenIssuer("Zm9yZ2VkLXNlY3JldC1vZi1hdC1sZWFzdC10aGlydHktdHdvLWJ5dGVzLSEh", ISSUER)
                .issue("worker-" + agencyId, agencyId, Set.of(Role.WORKER.name()), Duration.ofMinutes(30));
    }
}
