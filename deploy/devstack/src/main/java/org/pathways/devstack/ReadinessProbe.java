package org.pathways.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Waits for a service to report itself ready on Spring Boot's readiness probe, the same signal Kubernetes would use:
 * the application context is up and the service accepts traffic. An open port alone says neither.
 */
final class ReadinessProbe {

    static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * Returns once {@code /actuator/health/readiness} answers 200; fails as soon as the process exits, since it
     * will not become ready then, or when the deadline counted from {@code startedAtNanos} passes.
     */
    void awaitReady(PlatformService service, ChildProcess process, long startedAtNanos)
            throws StartupFailure, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(service.baseUrl() + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(3)).GET().build();
        long deadline = startedAtNanos + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new StartupFailure(service.module() + " exited during startup (exit code "
                        + process.process().exitValue() + ")", process);
            }
            try {
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
        throw new StartupFailure(service.module() + " was not ready on " + service.baseUrl() + " within "
                + DEADLINE.toSeconds() + " s", process);
    }
}
