package org.pathways.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker in KRaft mode, run as a child JVM from the devstack's own classpath. A separate process
 * rather than an in-JVM broker so that it is stopped, measured and logged like every other component, and so that
 * its threads and heap cannot disturb the embedded store. Its log directory survives restarts: storage is formatted
 * once, on the first start.
 */
final class KafkaBroker {

    static final Duration READY_DEADLINE = Duration.ofSeconds(60);
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /** Kafka logs a great deal at INFO; warnings and errors are what a developer needs to see. */
    private static final String QUIET_LOGGING = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn";

    private final Path kafkaDir;
    private final Path logFile;
    private final PrintStream console;
    private final Supplier<ConsoleFilter> consoleFilter;
    private ChildProcess process;

    KafkaBroker(Path dataDir, PrintStream console, Supplier<ConsoleFilter> consoleFilter) {
        this.kafkaDir = dataDir.resolve("kafka");
        this.logFile = dataDir.resolve("logs").resolve("kafka.log");
        this.console = console;
        this.consoleFilter = consoleFilter;
    }

    Path serverProperties() {
        return kafkaDir.resolve("server.properties");
    }

    Path logDir() {
        return kafkaDir.resolve("data");
    }

    ChildProcess process() {
        return process;
    }

    /** Writes the configuration, formats storage if this is the first start, and launches the broker. */
    void start() throws IOException, StartupFailure, InterruptedException {
        Files.createDirectories(logDir());
        Files.writeString(serverProperties(), KafkaServerProperties.render(logDir()), StandardCharsets.UTF_8);
        if (!Files.exists(logDir().resolve("meta.properties"))) {
            formatStorage();
        }
        // Class-data sharing as for the services (ServiceLaunch): the broker's archive is written when it stops.
        List<String> command = javaCommand("kafka.Kafka", serverProperties().toString());
        command.addAll(command.indexOf("-cp"), List.of("-XX:SharedArchiveFile=" + kafkaDir.resolve("classes.jsa"),
                "-XX:+AutoCreateSharedArchive", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        process = ChildProcess.start("kafka", command, Map.of(),
                logFile, console, consoleFilter.get());
    }

    /**
     * Runs {@code kafka-storage format --standalone} as its own process: the tool ends with System.exit, and it is
     * what the broker's own scripts use, so the on-disk result is exactly what a real install would have.
     */
    private void formatStorage() throws IOException, StartupFailure, InterruptedException {
        String clusterId = Uuid.randomUuid().toString();
        console.println(ChildProcess.prefix("kafka") + "first start: formatting " + logDir() + " for cluster "
                + clusterId);
        ChildProcess format = ChildProcess.start("kafka",
                javaCommand("kafka.tools.StorageTool", "format", "--standalone", "-t", clusterId, "-c",
                        serverProperties().toString()),
                Map.of(), null, console, consoleFilter.get());
        int exitCode = format.awaitExit(Duration.ofSeconds(60));
        if (exitCode != 0) {
            throw new StartupFailure("Formatting the Kafka storage failed (exit code " + exitCode + ")", format);
        }
    }

    private static List<String> javaCommand(String mainClass, String... arguments) {
        List<String> command = new ArrayList<>(List.of(JavaRuntime.javaExecutable(), "-Xmx256m", QUIET_LOGGING));
        if (Runtime.version().feature() >= 24) {
            // Kafka still unmaps its index files through sun.misc.Unsafe; newer JDKs warn about it on every stop.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-cp", JavaRuntime.ownClassPath(), mainClass));
        command.addAll(List.of(arguments));
        return JavaRuntime.inOwnSession(command);
    }

    /**
     * Waits until the broker answers a metadata request, which it only does once the controller quorum has elected
     * it and it has registered: from then on the services' producers and consumers can connect.
     */
    void awaitReady() throws StartupFailure, InterruptedException {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaServerProperties.BOOTSTRAP_SERVERS);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new StartupFailure("Kafka exited during startup (exit code "
                            + process.process().exitValue() + ")", process);
                }
                try {
                    Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3_000))
                            .nodes().get(4, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        createPlatformTopics(admin);
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // Not listening or not registered yet; ask again.
                }
                Thread.sleep(500);
            }
        }
        throw new StartupFailure("Kafka did not answer on " + KafkaServerProperties.BOOTSTRAP_SERVERS + " within "
                + READY_DEADLINE.toSeconds() + " s", process);
    }

    /** Creates the platform's topics that do not exist yet; one that another client created meanwhile is fine. */
    private static void createPlatformTopics(Admin admin) throws InterruptedException, StartupFailure {
        List<NewTopic> topics = KafkaServerProperties.PLATFORM_TOPICS.stream()
                .map(name -> new NewTopic(name, KafkaServerProperties.PARTITIONS, (short) 1)).toList();
        for (var result : admin.createTopics(topics).values().entrySet()) {
            try {
                result.getValue().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new StartupFailure("Creating the topic " + result.getKey() + " failed: " + e.getCause(),
                            e.getCause());
                }
            } catch (TimeoutException e) {
                throw new StartupFailure("Creating the topic " + result.getKey() + " took over 30 s", e);
            }
        }
    }

    void stop() {
        if (process != null) {
            process.stop(STOP_GRACE, console);
        }
    }
}
