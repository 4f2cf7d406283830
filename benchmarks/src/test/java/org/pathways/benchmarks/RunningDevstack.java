package org.pathways.benchmarks;

import java.io.IOException;
import java.io.Reader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
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
        Map<String, Duration> cpu = new TreeMap<>();
        processes().forEach((process, name) -> process.info().totalCpuDuration()
                .ifPresent(used -> cpu.merge(name, used, Duration::plus)));
        return cpu;
    }

    /** How many collections a JVM made so far, and how long they paused it: young and full ones apart. */
    record Collections(long young, Duration youngPauses, long full, Duration fullPauses) {

        static final Collections NONE = new Collections(0, Duration.ZERO, 0, Duration.ZERO);

        Collections since(Collections before) {
            return new Collections(young - before.young, youngPauses.minus(before.youngPauses), full - before.full,
                    fullPauses.minus(before.fullPauses));
        }
    }

    /**
     * Each of the devstack's JVMs' garbage collections so far, by name as {@link #cpuByProcess}: read with the JDK's
     * {@code jstat -gc} (its counters, not an attach), so the benchmark must run on the same machine as the same
     * user. A JVM that does not answer is left out.
     */
    Map<String, Collections> collectionsByProcess() {
        Map<String, Collections> collections = new TreeMap<>();
        processes().forEach((process, name) -> jstat(process.pid()).ifPresent(read -> collections.put(name, read)));
        return collections;
    }

    /** The collections each JVM made between two {@link #collectionsByProcess} readings. */
    static Map<String, Collections> since(Map<String, Collections> before, Map<String, Collections> after) {
        Map<String, Collections> made = new TreeMap<>();
        after.forEach((name, now) -> made.put(name, now.since(before.getOrDefault(name, Collections.NONE))));
        return made;
    }

    /** As " name 3 young 41 ms, 1 full 420 ms;" one after another: each JVM that paused. */
    static String pauses(Map<String, Collections> made) {
        StringBuilder each = new StringBuilder();
        made.forEach((name, gc) -> {
            if (gc.young() + gc.full() > 0) {
                each.append(" %s %d young %d ms".formatted(name, gc.young(), gc.youngPauses().toMillis()));
                if (gc.full() > 0) {
                    each.append(", %d full %d ms".formatted(gc.full(), gc.fullPauses().toMillis()));
                }
                each.append(';');
            }
        });
        return each.toString();
    }

    private static Optional<Collections> jstat(long pid) {
        Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
        try {
            Process run = new ProcessBuilder(jstat.toString(), "-gc", Long.toString(pid)).redirectErrorStream(true)
                    .start();
            String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!run.waitFor(10, TimeUnit.SECONDS) || run.exitValue() != 0) {
                return Optional.empty();
            }
            String[] lines = output.strip().split("\\R");
            List<String> columns = List.of(lines[0].strip().split("\\s+"));
            String[] values = lines[lines.length - 1].strip().split("\\s+");
            ToDoubleFunction<String> value = column -> Double.parseDouble(
                    values[columns.indexOf(column)]);
            return Optional.of(new Collections((long) value.applyAsDouble("YGC"),
                    seconds(value.applyAsDouble("YGCT")), (long) value.applyAsDouble("FGC"),
                    seconds(value.applyAsDouble("FGCT"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Duration seconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /** The devstack's processes, each with its name. */
    private Map<ProcessHandle, String> processes() {
        String dataDir = data.toString();
        // The devstack's own JVM (the store) names its data directory on its command line only when given one: its
        // pid is the first line of the data directory's pids file.
        long storePid = storePid();
        Map<ProcessHandle, String> named = new HashMap<>();
        ProcessHandle.allProcesses().forEach(process -> {
            String line = process.info().commandLine().orElse("");
            Matcher service = SERVICE.matcher(line);
            String name = null;
            // Kafka runs from the devstack's own class path (devstack.jar) with its settings in the data directory:
            // named first, or its CPU would be counted as the store's.
            if (line.contains(" kafka.Kafka ") && line.contains(dataDir)) {
                name = "kafka";
            } else if (process.pid() == storePid || line.contains("devstack.jar") && line.contains(dataDir)) {
                name = "devstack (the store)";
            } else if (line.contains("zipkin-server.jar")) {
                name = "trace viewer";
            } else if (service.find() && line.contains(dataDir)) {
                name = service.group(1);
            }
            if (name != null) {
                named.put(process, name);
            }
        });
        return named;
    }

    /** The devstack JVM's pid from its pids file ({@code devstack <pid> <started>}), or -1. */
    private long storePid() {
        try {
            return java.nio.file.Files.readAllLines(data.resolve("pids")).stream()
                    .filter(line -> line.startsWith("devstack "))
                    .mapToLong(line -> Long.parseLong(line.split(" ")[1])).findFirst().orElse(-1);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
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
