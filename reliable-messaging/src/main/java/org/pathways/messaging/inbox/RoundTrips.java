package org.pathways.messaging.inbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;

/**
 * Independent store round trips of one batch, made at once rather than one after another. A batch consumer's thread
 * waits for each of its round trips in turn, and the next batch on its partition waits for all of them: on a busy
 * machine each round trip also waits its turn for the CPU, so a batch of ten writes to ten collections took ten such
 * waits where it needs one (docs/benchmarks.md, "A batch's writes at once").
 *
 * <p>Only for round trips that depend on nothing the others do, whose order nobody can see, and that are each safe to
 * repeat: the batch fails if any fails, and is received again once every one of them has ended.
 */
public final class RoundTrips {

    private static final String SUFFIX = "-round-trip";
    private static final ContextSnapshotFactory CONTEXT = ContextSnapshotFactory.builder().build();

    /** A round trip with nothing to do: started on no thread. */
    public static final Runnable NONE = () -> { };

    private RoundTrips() {
    }

    /**
     * The write of what a batch holds in {@code held} (this thread's list, taken now), to be made on any thread while
     * this one waits for it: {@code write} gets a copy, and the list is emptied only once it succeeded. A failed write
     * leaves it all held, since the inbox may complete a batch again (after a failure before an erasure in it) and
     * then marks the events handled so far done. {@link #NONE} when nothing is held.
     */
    public static <T> Runnable writeHeld(List<T> held, java.util.function.Consumer<List<T>> write) {
        if (held == null || held.isEmpty()) {
            return NONE;
        }
        return () -> {
            write.accept(List.copyOf(held));
            held.clear();
        };
    }

    /**
     * One round trip that makes all of {@code trips} at once ({@link #atOnce}), on whatever thread runs it: {@link #NONE}
     * when none has anything to do, the one itself when only one has.
     */
    public static Runnable allOf(Runnable... trips) {
        List<Runnable> some = java.util.Arrays.stream(trips).filter(trip -> trip != NONE).toList();
        if (some.isEmpty()) {
            return NONE;
        }
        if (some.size() == 1) {
            return some.getFirst();
        }
        return () -> atOnce(some.getFirst(), some.subList(1, some.size()));
    }

    /**
     * Runs {@code here} on this thread (where a thread-local of the batch can be read) and each of {@code elsewhere}
     * on a virtual thread of its own, all at once, and returns when every one has ended. If any failed, the first
     * failure is thrown once all have ended (with the others suppressed), so nothing of the batch is still being
     * written when it is received again.
     */
    public static void atOnce(Runnable here, List<Runnable> elsewhere) {
        List<Runnable> others = elsewhere.stream().filter(write -> write != NONE).toList();
        if (others.isEmpty()) {
            here.run();
            return;
        }
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> started = new ArrayList<>(others.size());
        // Named after the thread whose round trips they make (a consumer's, say), as it is known in logs and profiles.
        String name = Thread.currentThread().getName();
        Thread.Builder threads = Thread.ofVirtual().name(name.endsWith(SUFFIX) ? name : name + SUFFIX);
        // The caller's trace context goes along: a round trip made within an event's span is a span of it.
        ContextSnapshot context = CONTEXT.captureAll();
        for (Runnable other : others) {
            Runnable inContext = context.wrap(other);
            started.add(threads.start(() -> {
                try {
                    inContext.run();
                } catch (Throwable failure) {
                    failures.add(failure);
                }
            }));
        }
        Throwable first = null;
        try {
            here.run();
        } catch (Throwable failure) {
            first = failure;
        }
        boolean interrupted = false;
        for (Thread thread : started) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;   // the round trips still end by themselves (the driver's timeouts)
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        for (Throwable failure : failures) {
            if (first == null) {
                first = failure;
            } else {
                first.addSuppressed(failure);
            }
        }
        if (first instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (first instanceof Error error) {
            throw error;
        }
        if (first != null) {
            throw new IllegalStateException("A round trip of the batch failed", first);
        }
    }
}
