package org.pathways.devstack;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The JDK and classpath the devstack itself runs on, reused for its child JVMs: the Kafka broker runs from the
 * devstack's own classpath (Kafka is one of its dependencies), and every child uses the same JDK the user chose.
 */
final class JavaRuntime {

    /**
     * What every child JVM of the devstack runs with (the services, the broker, the trace viewer): C1 only and the
     * serial collector, for a quick start on two cores, with room for their compiled code and class metadata.
     *
     * <p>With C1 only the JVM reserves 48 MB for compiled code, and collects the whole heap to unload code each time
     * about 7 MB more was compiled ({@code SweeperThreshold}, 15 % of the reserve, less as it fills): with the serial
     * collector a full collection each time, 160–1,070 ms of pause, three in each back-end service's first 90 s
     * (GC logs of a devstack under the handoff benchmark, docs/benchmarks.md), in its measured phases too. At 240 MB
     * (what the JVM reserves when C2 compiles as well; memory is used as code is compiled, not at once) that is 36 MB.
     * Likewise the gateway, the web app and the identity-service collected the whole heap two or three times while
     * starting, each time their class metadata passed the next mark ({@code MetaspaceSize}, 21 MB at first): at
     * 128 MB they do not.
     */
    static final List<String> LEAN_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:ReservedCodeCacheSize=240m", "-XX:MetaspaceSize=128m");

    private JavaRuntime() {
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The devstack's classpath with every entry made absolute, so that a child started in another directory sees
     * the same classes. Under {@code java -jar} this is just the devstack jar; the JVM then follows the jar's
     * manifest Class-Path to {@code lib/} for the child just as it does for the devstack.
     */
    static String ownClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * Prefixes {@code command} with {@code setsid} where it exists, to put the child in its own session. Ctrl-C in
     * a terminal signals the whole foreground process group; without this every child would get SIGINT at the
     * same moment as the devstack, Kafka would stop while the services are still closing their consumers, and the
     * shutdown order (gateway, services, then Kafka) would be lost. setsid execs in place, so the pid stays the
     * JVM's own.
     */
    static List<String> inOwnSession(List<String> command) {
        for (String candidate : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(candidate))) {
                List<String> wrapped = new ArrayList<>();
                wrapped.add(candidate);
                wrapped.addAll(command);
                return wrapped;
            }
        }
        return command;
    }
}
