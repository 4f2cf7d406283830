package org.pathways.benchmarks;

import java.io.IOException;
import java.io.Reader;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;

/**
 * A devstack the benchmarks run against ({@code deploy/devstack/run --demo}): its data directory
 * ({@code -Dbenchmark.devstack-data=DIR}, else the repository's {@code .devstack}), the Kafka administrator's client
 * settings it wrote, and the demo's tokens.
 */
final class RunningDevstack {

    final Path data;

    private RunningDevstack(Path data) {
        this.data = data;
    }

    /** The running devstack, or the test skipped (saying why) when none runs with its data there. */
    static RunningDevstack assumeRunning(int... ports) {
        Path data = Path.of(System.getProperty("benchmark.devstack-data", "../.devstack")).toAbsolutePath()
                .normalize();
        boolean running = Files.isRegularFile(data.resolve("kafka").resolve("admin.properties"));
        for (int port : ports) {
            running &= listening(port);
        }
        Assumptions.assumeTrue(running, "no devstack running with its data in " + data
                + " (deploy/devstack/run --demo)");
        return new RunningDevstack(data);
    }

    /** The devstack's Kafka administrator's client settings (address, SASL), from {@code kafka/admin.properties}. */
    Map<String, Object> kafkaClients() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(data.resolve("kafka").resolve("admin.properties"))) {
            properties.load(reader);
        }
        Map<String, Object> clients = new HashMap<>();
        properties.forEach((key, value) -> clients.put(key.toString(), value.toString()));
        return clients;
    }

    /** The demo's tokens, from {@code tokens.env} ({@code export NAME=value} lines); skipped without the demo. */
    Map<String, String> demoTokens() throws IOException {
        Path file = data.resolve("tokens.env");
        Assumptions.assumeTrue(Files.isRegularFile(file), "the devstack has no demo tokens: start it with --demo");
        Map<String, String> tokens = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("export ") && line.contains("=")) {
                tokens.put(line.substring(7, line.indexOf('=')), line.substring(line.indexOf('=') + 1).strip());
            }
        }
        return tokens;
    }

    /**
     * The CPU time each of the devstack's processes has used so far, by name: the devstack's own JVM (which holds the
     * embedded store), Kafka, the trace viewer and each service (named by its crash-log path). Read from the
     * operating system ({@link ProcessHandle.Info#totalCpuDuration}), so the benchmark must run on the same machine.
     */
    Map<String, Duration> cpuByProcess() {
        String dataDir = data.toString();
        Map<String, Duration> cpu = new TreeMap<>();
        ProcessHandle.allProcesses().forEach(process -> {
            String line = process.info().commandLine().orElse("");
            Matcher service = SERVICE.matcher(line);
            String name = null;
            // Kafka runs from the devstack's own class path (devstack.jar) with its settings in the data directory:
            // named first, or its CPU would be counted as the store's.
            if (line.contains(" kafka.Kafka ") && line.contains(dataDir)) {
                name = "kafka";
            } else if (line.contains("devstack.jar") && line.contains(dataDir)) {
                name = "devstack (the store)";
            } else if (line.contains("zipkin-server.jar")) {
                name = "trace viewer";
            } else if (service.find() && line.contains(dataDir)) {
                name = service.group(1);
            }
            if (name != null) {
                String as = name;
                process.info().totalCpuDuration().ifPresent(used -> cpu.merge(as, used, Duration::plus));
            }
        });
        return cpu;
    }

    /** The CPU each process used between two {@link #cpuByProcess} readings. */
    static Map<String, Duration> used(Map<String, Duration> before, Map<String, Duration> after) {
        Map<String, Duration> used = new TreeMap<>();
        after.forEach((name, total) -> used.put(name, total.minus(before.getOrDefault(name, Duration.ZERO))));
        return used;
    }

    /** Each process's CPU divided by {@code per} (ms per event or referral), as " name 1.2;" one after another. */
    static String perProcess(Map<String, Duration> cpu, double per) {
        StringBuilder each = new StringBuilder();
        cpu.forEach((name, used) -> each.append(" %s %.1f;".formatted(name, used.toMillis() / per)));
        return each.toString();
    }

    private static final Pattern SERVICE = Pattern.compile("-XX:ErrorFile=\\S*/logs/([a-z-]+)-crash-");

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("localhost", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
