package org.pathways.devstack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The embedded store alone in a JVM of its own, as it runs in the devstack's, so that a test can kill it as the
 * operating system does ({@link #kill}: SIGKILL, nothing of the JVM runs after it) and measure its CPU. The child
 * runs {@link #main}: it starts the store, says so, and stays until killed (or until its parent goes, whose end
 * closes its standard input; it then exits without closing the store, as a kill would).
 */
final class StoreProcess implements AutoCloseable {

    private static final String READY = "store ready";

    private final Process process;

    private StoreProcess(Process process) {
        this.process = process;
    }

    /** The store on {@code file} and {@code port} in a new JVM (the devstack's own heap and collector). */
    static StoreProcess start(Path file, int port, boolean journaled) throws IOException {
        List<String> command = new ArrayList<>(List.of(JavaRuntime.javaExecutable(), "-Xmx512m",
                "-XX:+UseParallelGC", "-cp", JavaRuntime.ownClassPath(), StoreProcess.class.getName(),
                file.toAbsolutePath().toString(), Integer.toString(port), Boolean.toString(journaled)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                for (String line; (line = output.readLine()) != null; ) {
                    if (line.equals(READY)) {
                        Thread.ofPlatform().daemon().start(() -> drain(output)); // never blocks the child's writes
                        return READY;
                    }
                    seen.append(line).append('\n');
                }
            } catch (IOException e) {
                seen.append(e);
            }
            return seen.toString();
        });
        try {
            String said = ready.get(60, TimeUnit.SECONDS);
            if (!said.equals(READY)) {
                throw new IllegalStateException("the store's process did not start:\n" + said);
            }
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("the store's process did not start", e);
        }
        return new StoreProcess(process);
    }

    private static void drain(BufferedReader output) {
        try {
            while (output.readLine() != null) {
                // the store's own log lines
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    /** The CPU the store's JVM has used so far (every thread, the collector's too). */
    Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElseThrow();
    }

    /** SIGKILL: the store's JVM ends at once, nothing closed, nothing written after. Its exit status. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the store's process outlived its kill");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        EmbeddedMongoStore unclosed = Boolean.parseBoolean(args[2]) ? EmbeddedMongoStore.start(file, port)
                : EmbeddedMongoStore.startWithoutJournal(file, port);
        System.out.println(READY);
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the parent goes
        }
        Runtime.getRuntime().halt(1); // as a kill: the store is not closed
    }
}
