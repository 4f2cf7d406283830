package org.pathways.referral.submission;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * Reads that do not depend on one another, started at once, each on a virtual thread of its own, so that a request
 * waits for the slowest of them rather than for their sum. Each read runs in the caller's observation (its store
 * commands are spans of the request's trace, as if made on the request's thread).
 */
final class ConcurrentReads {

    /** Named, so that a read can be told apart from the request's own thread (and counted with it in tests). */
    static final String THREAD_PREFIX = "submission-read-";
    private static final ThreadFactory READERS = Thread.ofVirtual().name(THREAD_PREFIX, 0).factory();

    private final ObservationRegistry observations;

    ConcurrentReads(ObservationRegistry observations) {
        this.observations = observations;
    }

    /** Starts {@code read} now; {@link #join} waits for its answer. */
    <T> Future<T> start(Supplier<T> read) {
        Observation parent = observations.getCurrentObservation();
        FutureTask<T> task = new FutureTask<>(() -> {
            if (parent == null) {
                return read.get();
            }
            try (Observation.Scope ignored = parent.openScope()) {
                return read.get();
            }
        });
        READERS.newThread(task).start();
        return task;
    }

    /** The read's answer, or what it threw, as if it had run on this thread. */
    static <T> T join(Future<T> read) {
        try {
            return read.get();
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failed.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(failed.getCause());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a read", interrupted);
        }
    }
}
