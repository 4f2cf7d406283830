package org.pathways.devstack;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A component running as its own operating-system process. Its output is copied to its own log file; the lines its
 * {@link ConsoleFilter} lets through (warnings and errors, unless {@code --verbose}) are shown on the devstack's
 * console behind a fixed-width name, so that interleaved logs of several JVMs stay readable; and the last lines are
 * kept to explain a failed start.
 */
final class ChildProcess {

    static final int TAIL_LINES = 30;
    private static final int NAME_WIDTH = 12;

    private final String name;
    private final Process process;
    private final Thread outputPump;
    private final Deque<String> tail = new ArrayDeque<>();
    private volatile boolean stopRequested;

    private ChildProcess(String name, Process process, Path logFile, PrintStream console, ConsoleFilter filter)
            throws IOException {
        this.name = name;
        this.process = process;
        BufferedWriter log = logFile == null ? null : Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        String prefix = prefix(name);
        this.outputPump = Thread.ofPlatform().daemon().name("output-" + name)
                .start(() -> pump(log, prefix, console, filter));
    }

    /**
     * Starts {@code command}; every line it writes goes to {@code logFile} (when given) and, when {@code filter}
     * lets it, to the console behind the component's name.
     */
    static ChildProcess start(String name, List<String> command, Map<String, String> environment, Path logFile,
            PrintStream console, ConsoleFilter filter) throws IOException {
        if (logFile != null) {
            Files.createDirectories(logFile.getParent());
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        // Nothing reads the children's stdin; closing it keeps them from holding the terminal.
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process = builder.start();
        LeftoverProcesses written = recordedIn;
        if (written != null) {
            written.remember(process.toHandle());
        }
        return new ChildProcess(name, process, logFile, console, filter);
    }

    /** Where the processes started are written down for the next start ({@link LeftoverProcesses}); none if null. */
    private static volatile LeftoverProcesses recordedIn;

    static void recordIn(LeftoverProcesses processes) {
        recordedIn = processes;
    }

    /** {@code [referral    ] }: the same width for every component so that log columns line up. */
    static String prefix(String name) {
        return "[" + String.format("%-" + NAME_WIDTH + "s", name) + "] ";
    }

    private void pump(BufferedWriter log, String prefix, PrintStream console, ConsoleFilter filter) {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (filter.show(line)) {
                    console.println(prefix + line);
                }
                remember(line);
                if (log != null) {
                    try {
                        log.write(line);
                        log.newLine();
                        log.flush();
                    } catch (IOException e) {
                        // The console copy is still there; a full disk must not stop the pump and block the child.
                    }
                }
            }
        } catch (IOException e) {
            // The stream closes when the process dies; nothing more to read.
        } finally {
            if (log != null) {
                try {
                    log.close();
                } catch (IOException ignored) {
                    // Closing a log file that cannot be written either.
                }
            }
        }
    }

    private void remember(String line) {
        synchronized (tail) {
            if (tail.size() == TAIL_LINES) {
                tail.removeFirst();
            }
            tail.addLast(line);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Whether the devstack asked this process to stop, as opposed to it dying on its own. */
    boolean stopRequested() {
        return stopRequested;
    }

    Process process() {
        return process;
    }

    /** The last lines the process wrote, oldest first, once everything it wrote so far has been read. */
    List<String> lastLines() {
        if (!process.isAlive()) {
            awaitOutput(Duration.ofSeconds(2));
        }
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /** Waits for the process to end by itself, e.g. a one-off tool, and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            awaitOutput(Duration.ofSeconds(2));
            return -1;
        }
        awaitOutput(Duration.ofSeconds(2));
        return process.exitValue();
    }

    /**
     * SIGTERM first so that the JVM runs its own shutdown (Spring closes consumers and flushes, Kafka does a
     * controlled shutdown and closes its logs cleanly); SIGKILL only if it does not finish within {@code grace}.
     */
    void stop(Duration grace, PrintStream console) {
        stopRequested = true;
        if (process.isAlive()) {
            // Signalled through the handle: Process.destroy() also closes the pipe, and the child's shutdown log
            // (the part that says whether it stopped cleanly) would be lost.
            process.toHandle().destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    console.println(prefix("devstack") + name + " did not stop within " + grace.toSeconds()
                            + " s; killing it");
                    process.toHandle().destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.toHandle().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        awaitOutput(Duration.ofSeconds(2));
    }

    /** SIGKILL at once, as {@code kill -9} would; returns once the process is gone and its output read. */
    void kill() throws InterruptedException {
        stopRequested = true;
        process.toHandle().destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        awaitOutput(Duration.ofSeconds(2));
    }

    private void awaitOutput(Duration timeout) {
        try {
            outputPump.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
