package org.pathways.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private TraceViewer() {
    }

    /** The server's jar, or null when this build has none (it is copied in {@code process-test-resources}). */
    static Path jar(Path repositoryRoot) {
        Path jar = repositoryRoot.resolve("deploy/devstack/target/zipkin/zipkin-server.jar");
        return Files.isRegularFile(jar) ? jar : null;
    }

    static ChildProcess start(Path jar, Path logFile, PrintStream console, ConsoleFilter filter) throws IOException {
        List<String> command = List.of(JavaRuntime.javaExecutable(), "-Xmx160m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-jar", jar.toString());
        // In memory, a bounded number of spans: a local viewer, not a store.
        Map<String, String> environment = Map.of("QUERY_PORT", Integer.toString(PORT), "STORAGE_TYPE", "mem",
                "MEM_MAX_SPANS", "100000", "JAVA_OPTS", "");
        return ChildProcess.start("zipkin", JavaRuntime.inOwnSession(command), environment, logFile, console, filter);
    }
}
