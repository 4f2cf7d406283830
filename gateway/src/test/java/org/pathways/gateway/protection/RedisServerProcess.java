package org.pathways.gateway.protection;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} (the Debian package), started by the test on a free loopback port with no
 * persistence, and always stopped. Where the binary is not installed the test is skipped, not failed.
 */
final class RedisServerProcess implements AutoCloseable {

    private final Process process;
    final int port;

    private RedisServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static final String NOT_INSTALLED =
            "redis-server is not installed (apt-get install -y redis-server): Redis-backed rate limit not tested";

    static boolean installed() {
        return binary().isPresent();
    }

    static RedisServerProcess start() throws IOException {
        Optional<Path> binary = binary();
        Assumptions.assumeTrue(binary.isPresent(), NOT_INSTALLED);
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder(binary.get().toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        RedisServerProcess redis = new RedisServerProcess(process, port);
        try {
            await("redis-server accepting connections on " + port).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(redis::accepts);
        } catch (RuntimeException notReady) {
            redis.close();
            throw notReady;
        }
        return redis;
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    private boolean accepts() {
        if (!process.isAlive()) {
            throw new IllegalStateException("redis-server exited with " + process.exitValue());
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.getOutputStream().write("PING\r\n".getBytes());
            byte[] answer = new byte[7];
            socket.setSoTimeout(500);
            int read = socket.getInputStream().read(answer);
            return read > 0 && new String(answer, 0, read).startsWith("+PONG");
        } catch (IOException notYet) {
            return false;
        }
    }

    private static Optional<Path> binary() {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin:/usr/local/bin:/usr/sbin";
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isBlank()) {
                Path candidate = Path.of(directory, "redis-server");
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
