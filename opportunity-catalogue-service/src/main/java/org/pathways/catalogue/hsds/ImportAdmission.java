package org.pathways.catalogue.hsds;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import org.pathways.platform.problem.ProblemResponses;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Keeps one administrator's import from taking the memory every other caller of the catalogue needs. Imports are
 * read one at a time (a second waits {@link ImportLimits#waitForTurn} for its turn, then is answered 503
 * {@code service-busy} with {@code Retry-After}), and what an import holds while it is read is bounded: the heap it
 * may take ({@link ImportLimits}, a share of {@code -Xmx} by default), and no more than is free when it starts.
 *
 * <p>A form that is joined across tables (CSV files, a zip of them, a JSON document of tables or one record) is held
 * whole while it is read: its footprint is estimated from its size ({@link #TABULAR_BYTES}, {@link #JSON_BYTES} heap
 * bytes per byte, measured in docs/benchmarks.md), and it is refused before it is read, {@code 413}, when that never
 * fits, or {@code 503} with {@code Retry-After} when it only does not fit now. Bytes are counted as they are read
 * ({@link Permit#bounded}, {@link Permit#hold}), so a body whose size was not declared, or a zip that inflates, is
 * stopped once it passes what was admitted: the same {@code 413} past the budget, {@code 503} with
 * {@code Retry-After} when it only passed what was free when it started. A JSON page ({@code contents}) streams: only
 * the records read since the last batch was staged are held ({@link StagedFeed}).
 */
@Component
@EnableConfigurationProperties(ImportLimits.class)
class ImportAdmission {

    /** Heap bytes a JSON document takes per byte of it, read as a tree and nested into a feed. */
    static final double JSON_BYTES = 3;
    /** Heap bytes CSV files take per byte of them, read into rows and joined into a feed. */
    static final double TABULAR_BYTES = 6;
    static final int RETRY_AFTER_SECONDS = 30;

    private final Semaphore turn = new Semaphore(1);
    private final long ceiling;
    private final long maxHeap;
    private final LongSupplier liveHeap;
    private final ImportLimits limits;

    @Autowired
    ImportAdmission(ImportLimits limits) {
        this(limits, Runtime.getRuntime().maxMemory(), ImportAdmission::liveHeap);
    }

    ImportAdmission(ImportLimits limits, long maxHeap, LongSupplier liveHeap) {
        this.limits = limits;
        this.maxHeap = maxHeap;
        this.liveHeap = liveHeap;
        this.ceiling = limits.memory() != null ? limits.memory().toBytes() : maxHeap / 100 * limits.heapPercent();
    }

    /**
     * The turn to read an import of {@code bytes} (0 when it streams, -1 when its size is not known) taking
     * {@code heapPerByte} of heap for each of them; to be closed once it is read.
     */
    Permit admit(long bytes, double heapPerByte) {
        long needed = (long) (Math.max(bytes, 0) * heapPerByte);
        if (needed > ceiling) {
            throw tooLarge(heapPerByte);
        }
        try {
            if (!turn.tryAcquire(limits.waitForTurn().toMillis(), TimeUnit.MILLISECONDS)) {
                throw busy("Another import is being read: the catalogue reads one at a time. Send this one again "
                        + "in a little while.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy("The service is stopping: send this import again in a little while.");
        }
        long free = maxHeap - liveHeap.getAsLong();
        if (needed > free) {
            turn.release();
            throw busy("The catalogue has not enough memory free to read this import right now. Send it again in a"
                    + " little while, or split it into smaller feeds.");
        }
        return new Permit(Math.min(ceiling, free), heapPerByte);
    }

    /**
     * What the heap holds and may not give back soon: eden as the last collection left it (what it holds now is
     * mostly garbage, gone at the next young collection), every other pool the larger of what it holds now and what
     * the last collection kept. Under the Serial collector the old generation's collection usage changes only at a
     * full collection, so what young collections promoted since is only in its usage now.
     */
    private static long liveHeap() {
        return liveHeap(ManagementFactory.getMemoryPoolMXBeans());
    }

    static long liveHeap(List<MemoryPoolMXBean> pools) {
        long live = 0;
        for (MemoryPoolMXBean pool : pools) {
            if (pool.getType() == MemoryType.HEAP) {
                MemoryUsage kept = pool.getCollectionUsage();
                long now = pool.getUsage().getUsed();
                live += kept == null ? now : pool.getName().contains("Eden") ? kept.getUsed()
                        : Math.max(now, kept.getUsed());
            }
        }
        return live;
    }

    /** What an import may hold of a form taking {@code heapPerByte}: its budget, whatever is free now. */
    private long budget(double heapPerByte) {
        return (long) (ceiling / heapPerByte);
    }

    private ErrorResponseException tooLarge(double heapPerByte) {
        long mb = budget(heapPerByte) / (1024 * 1024);
        String detail = heapPerByte == TABULAR_BYTES
                ? "This feed is too large for the catalogue to read at once: it can read about " + mb + " MB of CSV"
                + " in one import. Split the feed into several imports (each organization with its services, "
                + "locations and other rows in the same import), each under " + mb + " MB."
                : "This document is too large for the catalogue to read at once: it reads about " + mb + " MB of a "
                + "document that is not a page, or of one record. Send the records as a page ({\"contents\": "
                + "[...]}), which is read one record at a time, or split the feed into several imports.";
        return problem(HttpStatus.CONTENT_TOO_LARGE, "too-large", detail, null);
    }

    private static ErrorResponseException busy(String detail) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "service-busy", detail, RETRY_AFTER_SECONDS);
    }

    private static ErrorResponseException problem(HttpStatus status, String kind, String detail, Integer retryAfter) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(ProblemResponses.type(kind));
        ErrorResponseException refused = new ErrorResponseException(status, problem, null);
        if (retryAfter != null) {
            refused.getHeaders().set(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfter));
        }
        return refused;
    }

    /** One import's turn, and the memory admitted for it. */
    final class Permit implements AutoCloseable {
        private final long memory;
        private final double heapPerByte;
        private final AtomicBoolean closed = new AtomicBoolean();
        private long held;

        private Permit(long memory, double heapPerByte) {
            this.memory = memory;
            this.heapPerByte = heapPerByte;
        }

        /** The most bytes of the import that may be held at once. */
        long bytes() {
            return (long) (memory / heapPerByte);
        }

        /**
         * Counts {@code n} more bytes of the import as held: once more than {@link #bytes}, a {@code 413} problem
         * when that is more than the import's budget, or {@code 503} with {@code Retry-After} when the permit was
         * cut to what was free when it started (the import may fit when more is).
         */
        void hold(long n) {
            held += n;
            if (held > bytes()) {
                if (held <= budget(heapPerByte)) {
                    throw busy("The catalogue had not enough memory free to read this import. Send it again in a "
                            + "little while, or split it into smaller feeds.");
                }
                throw tooLarge(heapPerByte);
            }
        }

        /** The bytes of the import held now. */
        long held() {
            return held;
        }

        /** What was held so far is no longer: the records of a page read so far were staged. */
        void released() {
            held = 0;
        }

        /** {@code in}, each byte read from it {@link #hold held}. */
        InputStream bounded(InputStream in) {
            return new Bounded(in);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                turn.release();
            }
        }

        /** A body counted as it is read. */
        final class Bounded extends FilterInputStream {
            private Bounded(InputStream in) {
                super(in);
            }

            @Override
            public int read() throws IOException {
                int b = super.read();
                count(b < 0 ? 0 : 1);
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                count(Math.max(n, 0));
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(n);
                count(skipped);
                return skipped;
            }

            private void count(long n) {
                hold(n);
            }
        }
    }
}
