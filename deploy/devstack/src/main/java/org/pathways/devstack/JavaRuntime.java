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
