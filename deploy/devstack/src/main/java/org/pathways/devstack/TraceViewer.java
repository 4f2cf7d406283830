package org.pathways.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The devstack's trace viewer: the Zipkin server's own jar (from Maven Central, copied next to the devstack's jar by
 * the build), in memory, on {@value #PORT}. Every service exports its spans there; the ready summary links its UI.
 * It starts beside the services and nothing waits for it: spans sent before it listens are dropped, no more.
 */
final class TraceViewer {

    static final int PORT = 9411;
    static final String UI = "http://localhost:" + PORT + "/zipkin/";
    /** Where the services send their spans (Zipkin's v2 span API). */
    static final String SPANS = "http://localhost:" + PORT + "/api/v2/spans";
    /**
     * The spans the viewer keeps in memory (the newest). It has a 160 MB heap: with 100,000, as before, it filled it
     * under a backlog of events and collected garbage without end, a whole core of the 2 (130 CPU-seconds in 4
     * minutes, docs/benchmarks.md). 20,000 spans are the last few hundred referrals' traces.
     */
    static final int MAX_SPANS = 20_000;

    private TraceViewer() {
    }

    /** The server's jar, or null when this build has none (it is copied in {@code process-test-resources}). */
    static Path jar(Path repositoryRoot) {
        Path jar = repositoryRoot.resolve("deploy/devstack/target/zipkin/zipkin-server.jar");
        return Files.isRegularFile(jar) ? jar : null;
    }

    /**
     * The viewer's JVM, at the lowest CPU priority: nothing waits for it to be ready, and on a small machine the
     * services' start should not share the cores with it. Every component runs in a session of its own, and Linux
     * schedules each session's processes as one group (autogroup) whatever their {@code nice}, so the group's own
     * priority is lowered too ({@code /proc/self/autogroup}, where the kernel has it). (Its jar cannot be extracted
     * for class-data sharing as the services' are: Spring Boot's tools refuse its layout.)
     */
    static List<String> command(Path jar) {
        List<String> command = new ArrayList<>();
        // Only in a session of its own: otherwise the autogroup would be the developer's terminal's.
        if (JavaRuntime.inOwnSession(List.of()).size() == 1 && Files.isExecutable(Path.of("/bin/sh"))
                && Files.isExecutable(Path.of("/usr/bin/nice"))) {
            command.addAll(List.of("/bin/sh", "-c",
                    "{ echo 19 > /proc/self/autogroup; } 2>/dev/null; exec /usr/bin/nice -n 19 \"$0\" \"$@\""));
        }
        command.addAll(List.of(JavaRuntime.javaExecutable(), "-Xmx160m"));
        command.addAll(JavaRuntime.LEAN_JVM);
        command.addAll(List.of("-jar", jar.toString()));
        return command;
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** Whether the viewer answers now. */
    static boolean answers() {
        try {
            HttpResponse<Void> response = CLIENT.send(HttpRequest.newBuilder(URI.create(UI)).timeout(Duration.ofSeconds(2)).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether the viewer answers within {@code deadline}, asking every half second. */
    static boolean awaitAnswer(Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (answers()) {
                return true;
            }
            Thread.sleep(500);
        }
        return false;
    }

    static ChildProcess start(Path jar, Path logFile, PrintStream console, ConsoleFilter filter) throws IOException {
        // In memory, a bounded number of spans: a local viewer, not a store.
        Map<String, String> environment = Map.of("QUERY_PORT", Integer.toString(PORT), "STORAGE_TYPE", "mem",
                "MEM_MAX_SPANS", Integer.toString(MAX_SPANS), "JAVA_OPTS", "");
        return ChildProcess.start("zipkin", JavaRuntime.inOwnSession(command(jar)), environment, logFile, console,
                filter);
    }
}
