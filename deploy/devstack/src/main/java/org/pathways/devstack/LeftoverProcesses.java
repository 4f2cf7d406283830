package org.pathways.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The processes a devstack started (the broker, each service, the trace viewer), written down as they start, so that the
 * next start can stop the ones a devstack killed hard (by the OOM killer, an IDE's stop button, {@code kill -9})
 * left running: otherwise they hold every port, and the next start says only "port … in use". Each is recorded with
 * its start time, so a process id the system has given to another process since is never touched. The devstack
 * that started them is written down first: while it runs, its processes are its own, and another start on the same
 * data directory is refused instead of stopping them.
 */
final class LeftoverProcesses {

    static final String FILE_NAME = "pids";
    /** What {@link #stopLeftovers} answers while the devstack that wrote the file is still running. */
    static final int ANOTHER_IS_RUNNING = -1;
    private static final String OWNER = "devstack";
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final Path file;

    LeftoverProcesses(Path dataDir) {
        this.file = dataDir.resolve(FILE_NAME);
    }

    /** Writes down {@code devstack} as the owner of this data directory's processes (a new file). */
    synchronized void claim(ProcessHandle devstack) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, OWNER + " " + line(devstack), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // Only a convenience for the next start: the devstack runs without it.
        }
    }

    /** The process id of the running devstack that owns this data directory's processes, if one runs. */
    Optional<Long> runningOwner() {
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] parts = line.strip().split(" ");
                if (parts.length == 3 && OWNER.equals(parts[0])) {
                    return alive(parts[1], parts[2]).map(ProcessHandle::pid);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String line(ProcessHandle process) {
        return process.pid() + " " + process.info().startInstant().map(Instant::toString).orElse("-")
                + System.lineSeparator();
    }

    /** The process {@code pid}, if it runs and started at {@code started} (never for an unknown start time). */
    private static Optional<ProcessHandle> alive(String pid, String started) {
        if (!pid.matches("[0-9]{1,10}") || "-".equals(started)) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)
                .filter(process -> process.info().startInstant().map(Instant::toString).orElse("-").equals(started));
    }

    /** Writes down a process just started. */
    synchronized void remember(ProcessHandle process) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, line(process), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // Only a convenience for the next start: the devstack runs without it.
        }
    }

    /**
     * Stops the processes written down by an earlier devstack, gone now, that are still running (asked to stop, then
     * killed after 20 s), and forgets them all; returns how many were stopped, or {@link #ANOTHER_IS_RUNNING} (and
     * touches nothing) while the devstack that wrote them runs.
     */
    int stopLeftovers(PrintStream console) {
        if (!Files.exists(file)) {
            return 0;
        }
        if (runningOwner().isPresent()) {
            return ANOTHER_IS_RUNNING;
        }
        List<ProcessHandle> running = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] parts = line.strip().split(" ");
                if (parts.length == 2) {
                    alive(parts[0], parts[1]).ifPresent(running::add);
                }
            }
            Files.delete(file);
        } catch (IOException e) {
            return 0;
        }
        if (running.isEmpty()) {
            return 0;
        }
        console.println("Stopping " + running.size() + " process(es) an earlier devstack left running (pids "
                + running.stream().map(process -> Long.toString(process.pid())).toList() + ")");
        running.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        for (ProcessHandle process : running) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                process.onExit().get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException stillThere) {
                process.destroyForcibly();
            } catch (java.util.concurrent.ExecutionException ignored) {
                // gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return running.size();
    }
}
