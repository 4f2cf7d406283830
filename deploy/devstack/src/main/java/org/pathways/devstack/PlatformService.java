package org.pathways.devstack;

import java.nio.file.Path;
import java.util.List;

/**
 * One Spring Boot service of the platform as the devstack runs it: a short name for log prefixes, the Maven module
 * whose runnable jar it launches, and the fixed local port the gateway's routes and the README expect.
 */
record PlatformService(String name, String module, int port) {

    /** The reactor version; the runnable jars are named after it, and the devstack ships in the same reactor. */
    static final String VERSION = "0.1.0-SNAPSHOT";

    /**
     * The token issuer every service and the gateway check tokens against; started first, since the demo tokens and
     * every request need it. The URL is also the issuer ({@code iss}) its tokens name.
     */
    static final PlatformService IDENTITY = new PlatformService("identity", "identity-service", 9000);

    /**
     * The web app: it finds the issuer at start-up (OpenID Connect discovery) and calls the API through the gateway
     * only when a page is asked for, so it starts with the back end; the gateway serves it at {@code /}.
     */
    static final PlatformService WEB = new PlatformService("web", "web", 8086);

    /** Started together: none of them calls another at startup, so there is no order to respect. */
    static final List<PlatformService> BACKEND = List.of(
            new PlatformService("learner", "learner-profile-service", 8081),
            new PlatformService("opportunity", "opportunity-catalogue-service", 8082),
            new PlatformService("referral", "referral-service", 8083),
            new PlatformService("notification", "notification-service", 8084),
            new PlatformService("progression", "progression-service", 8085),
            PlatformService.WEB);

    /** Started with the back end; the devstack says ready once every service behind it is. */
    static final PlatformService GATEWAY = new PlatformService("gateway", "gateway", 8080);

    /** The services that run as several instances with --replicas: the five back-end services (not the web app). */
    static final List<PlatformService> SCALABLE = BACKEND.stream().filter(service -> !service.equals(WEB)).toList();

    /**
     * Instance {@code index} (0 is this one) of the service: its own port, 100 above the previous instance's, and its
     * own name for logs ({@code referral-2}); the same module, so the same jar, databases and consumer groups.
     */
    PlatformService instance(int index) {
        return index == 0 ? this : new PlatformService(name + "-" + (index + 1), module, port + 100 * index);
    }

    /** The first instance of this service (itself, unless this is a further instance). */
    PlatformService first() {
        return all().stream().filter(service -> service.module.equals(module)).findFirst().orElse(this);
    }

    /** Every instance of this service when the devstack runs {@code replicas} of each scalable one. */
    List<PlatformService> instances(int replicas) {
        int count = SCALABLE.contains(this) ? replicas : 1;
        return java.util.stream.IntStream.range(0, count).mapToObj(this::instance).toList();
    }

    /** Every process the devstack starts, with {@code replicas} instances of each scalable service. */
    static List<PlatformService> all(int replicas) {
        return all().stream().flatMap(service -> service.instances(replicas).stream()).toList();
    }

    static List<PlatformService> all() {
        return java.util.stream.Stream.of(java.util.stream.Stream.of(IDENTITY), BACKEND.stream(),
                java.util.stream.Stream.of(GATEWAY)).flatMap(services -> services).toList();
    }

    /** The Spring Boot "exec" jar; the plain jar next to it is a library for the end-to-end tests. */
    Path execJar(Path repositoryRoot) {
        return repositoryRoot.resolve(module).resolve("target").resolve(module + "-" + VERSION + "-exec.jar");
    }

    String baseUrl() {
        return "http://localhost:" + port;
    }
}
