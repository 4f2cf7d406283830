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
 * The processes a devstack started (the broker, the store, each service), written down as they start, so that the
 * next start can stop the ones a devstack killed hard (by the OOM killer, an IDE's stop button, {@code kill -9})
 * left running: otherwise they hold every port, and the next start says only "port … in use". Each is recorded with
 * its start time, so a process id the system has given to another process since is never touched.
 */
final class LeftoverProcesses {

    static final String FILE_NAME = "pids";
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final Path file;

    LeftoverProcesses(Path dataDir) {
        this.file = dataDir.resolve(FILE_NAME);
    }

    /** Writes down a process just started. */
    synchronized void remember(ProcessHandle process) {
        Optional<Instant> started = process.info().startInstant();
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, process.pid() + " " + started.map(Instant::toString).orElse("-")
                    + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // Only a convenience for the next start: the devstack runs without it.
        }
    }

    /**
     * Stops the processes written down by an earlier devstack that are still running (asked to stop, then killed
     * after 20 s), and forgets them all; returns how many were stopped.
     */
    int stopLeftovers(PrintStream console) {
        if (!Files.exists(file)) {
            return 0;
        }
        List<ProcessHandle> running = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] parts = line.strip().split(" ");
                if (parts.length != 2 || !parts[0].matches("[0-9]{1,10}")) {
                    continue;
                }
                ProcessHandle.of(Long.parseLong(parts[0]))
                        .filter(ProcessHandle::isAlive)
                        .filter(process -> process.info().startInstant().map(Instant::toString).orElse("-")
                                .equals(parts[1]) && !"-".equals(parts[1]))
                        .ifPresent(running::add);
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
