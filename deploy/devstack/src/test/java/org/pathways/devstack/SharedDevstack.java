package org.pathways.devstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one platform this module's tests start, as {@code deploy/devstack/run --demo} runs it: Kafka, the store, the
 * trace viewer and every service its own JVM, the demo loaded. Starting it takes minutes on a busy machine, so it is
 * started once per test JVM, by the first test class that uses it ({@code @ExtendWith(SharedDevstack.class)}), and
 * shared: the smoke checks first, on the fresh platform ({@link DevstackSmokeTest}), then the fault suite
 * ({@link FaultSuiteTest}), then the clean stop ({@link DevstackShutdownTest}); junit-platform.properties orders the
 * classes by their {@code @Order}. If no test stopped it, it is killed when the test run ends.
 *
 * <p>It is not started, and those tests are skipped, when a port it needs is taken (a developer's own devstack, or
 * another build's platform) or a service's jar is not built.
 */
final class SharedDevstack implements BeforeAllCallback {

    /** Every port of the platform, the trace viewer and the web app included. */
    static final int[] PORTS = {8080, 8081, 8082, 8083, 8084, 8085, 8086, 9000, 9092, 9093, 9411, 27017};
    /**
     * The fault suite's webhook retry schedule, instead of the demo's 0s,2s,5s: long enough that an endpoint down for a
     * minute is not parked (attempts while the circuit is open don't count). The demo's dead endpoint then parks its
     * deliveries after some minutes rather than one; no check here depends on when.
     */
    static final String RETRY_SCHEDULE = "0s,2s,5s,10s,15s,20s,30s,30s,30s,30s,30s,30s,30s,30s";
    /**
     * The referral-service's own acknowledgement target instead of the demo's same-day one checked every 30 s: under
     * that, a referral of the fault suite's load still waiting for its RECEIVE gets an SLA event first, which the
     * suite's order check (nothing before {@code received} but {@code submitted}) would count as out of order. The
     * demo's unanswered referrals then show as overdue after two working days, as in production; no check here looks.
     */
    static final Map<String, String> PRODUCTION_SLA = Map.of("REFERRALS_SLA_ACKNOWLEDGE_DAYS", "2",
            "REFERRALS_SLA_CHECK_EVERY", "PT5M");

    private static SharedDevstack running;
    private static Throwable failedToStart;

    private Devstack devstack;
    private DemoTokens tokens;
    private Path dataDir;
    private double startSeconds;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;

    /** The platform, once a class extended with this one has started it; assumes (skips) otherwise. */
    static synchronized SharedDevstack platform() {
        Assumptions.assumeTrue(running != null, "the shared platform did not start");
        return running;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (SharedDevstack.class) {
            if (failedToStart != null) {
                throw new IllegalStateException("the shared platform failed to start", failedToStart);
            }
            if (running != null) {
                return;
            }
            Path root = RepositoryRoot.findFrom(Path.of("")).orElseThrow();
            for (int port : PORTS) {
                // A developer's devstack (or another build's) may be running: then these tests cannot run, rather
                // than fail.
                Assumptions.assumeTrue(PortAvailability.isFree(port), "port " + port + " is in use");
            }
            Assumptions.assumeTrue(ServiceJars.missing(root, PlatformService.all()).isEmpty(),
                    "the services' jars are not built (./mvnw package builds them before this module's tests)");
            SharedDevstack platform = new SharedDevstack();
            try {
                platform.start(root);
            } catch (Exception | Error e) {
                failedToStart = e;
                platform.kill();
                throw e;
            }
            running = platform;
            // Closed when the whole test run ends (the root context's store): kills what no test stopped.
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(SharedDevstack.class, key -> (AutoCloseable) platform::kill,
                            AutoCloseable.class);
        }
    }

    private void start(Path root) throws Exception {
        long started = System.nanoTime();
        dataDir = Files.createTempDirectory(Files.createDirectories(root.resolve("deploy/devstack/target")),
                "devstack-tests-");
        PrintStream console = new PrintStream(new Transcript(output, System.out), true, StandardCharsets.UTF_8);
        devstack = new Devstack(root, dataDir, true, false, 1, null, console)
                .withSettings("notification", Map.of("PATHWAYS_WEBHOOKS_RETRYSCHEDULE", RETRY_SCHEDULE))
                .withSettings("referral", PRODUCTION_SLA);
        tokens = devstack.start();
        devstack.announceReady(tokens);
        startSeconds = (System.nanoTime() - started) / 1e9;
    }

    Devstack devstack() {
        return devstack;
    }

    DemoTokens tokens() {
        return tokens;
    }

    /** The data directory (tokens.env, logs/, cds/); it stays in target/ after the run. */
    Path dataDir() {
        return dataDir;
    }

    /** Seconds from the start to the demo loaded. */
    double startSeconds() {
        return startSeconds;
    }

    /** Every line the devstack wrote to its console so far. */
    List<String> output() {
        return output;
    }

    /** Stops everything in order, as Ctrl-C does (what the devstack's shutdown hook runs). */
    void stop() {
        stopped = true;
        devstack.stop();
    }

    /**
     * SIGKILL for every service still running, then the rest stopped: a clean stop writes each service's class-data
     * sharing archive, which on a busy machine outlasts the stop's grace period and the test JVM's exit.
     */
    private void kill() throws InterruptedException {
        if (devstack == null || stopped) {
            return;
        }
        stopped = true;
        for (PlatformService service : PlatformService.all()) {
            devstack.killIfRunning(service);
        }
        devstack.stop();
    }

    /** The console: every line kept for the checks, and passed on to the test's output. */
    private static final class Transcript extends OutputStream {

        private final List<String> lines;
        private final PrintStream passOn;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Transcript(List<String> lines, PrintStream passOn) {
            this.lines = lines;
            this.passOn = passOn;
        }

        @Override
        public synchronized void write(int b) {
            passOn.write(b);
            if (b == '\n') {
                lines.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else if (b != '\r') {
                line.write(b);
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            passOn.flush();
        }
    }
}
