package org.pathways.messaging;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker (KRaft, broker and controller in one) in a process of its own, from the Kafka jars on
 * the test classpath, on fixed loopback ports and a log directory that outlive it: a test can kill it (SIGKILL) and
 * start it again where it was, which the JVM-wide shared broker does not allow.
 */
final class StandaloneKafkaBroker implements AutoCloseable {

    private final Path directory;
    private final int port;
    private final int controllerPort;
    private final Path properties;
    private Process process;

    StandaloneKafkaBroker() throws IOException {
        this.directory = Files.createTempDirectory("standalone-kafka-");
        this.port = freePort();
        this.controllerPort = freePort();
        this.properties = directory.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "log.dirs=" + directory.resolve("logs"),
                "num.partitions=3",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1", ""));
        run(List.of("kafka.tools.StorageTool", "format", "--standalone", "-t", Uuid.randomUuid().toString(),
                "-c", properties.toString()), Duration.ofSeconds(90));
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * Starts the broker (again) and waits until it answers: up to three minutes, as a new JVM on a shared 2-core
     * machine under other builds' load took more than one (failed once at 60 s).
     */
    void start() throws Exception {
        process = java(List.of("kafka.Kafka", properties.toString()), directory.resolve("broker.log"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "180000"))) {
            admin.describeCluster().nodes().get(200, TimeUnit.SECONDS);
        }
    }

    /** Kills the broker at once (SIGKILL), as a crash or a pulled plug would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("The broker did not die");
        }
        // Until the port is free again nothing can connect: the outage starts now.
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (accepts() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        if (process != null && process.isAlive()) {
            kill();
        }
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private void run(List<String> command, Duration deadline) throws IOException {
        Process tool = java(command, directory.resolve("format.log"));
        try {
            if (!tool.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS) || tool.exitValue() != 0) {
                tool.destroyForcibly();
                throw new IllegalStateException("Formatting the broker's storage failed: "
                        + Files.readString(directory.resolve("format.log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Process java(List<String> arguments, Path log) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
        command.addAll(arguments);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
