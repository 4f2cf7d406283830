package org.pathways.notification.config;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tells a poller when a search of the store is worth making, so that it does not read a whole collection every second
 * to find nothing: the embedded store serves such a search (by status and time) only by reading every document,
 * holding the collection's lock meanwhile, so its cost grows with everything ever stored.
 *
 * <p>Whatever makes work due on this instance announces when ({@link #dueAt}: a new item, a retry, a deferral, a
 * resumed subscription); a search is made once that time has come, and in any case every {@code fullSearchEvery} for
 * what no one here announced (another instance died holding a lease). A search forgets what was announced before it;
 * what it leaves for later is announced again.
 */
public final class DueWatch {

    private final Clock clock;
    private final Duration fullSearchEvery;
    private final AtomicReference<Instant> next = new AtomicReference<>(Instant.MIN);
    private volatile Instant lastFullSearch;

    public DueWatch(Clock clock, Duration fullSearchEvery) {
        this.clock = clock;
        this.fullSearchEvery = fullSearchEvery;
    }

    /** Something becomes due at {@code at}. */
    public void dueAt(Instant at) {
        next.accumulateAndGet(at, (known, announced) -> announced.isBefore(known) ? announced : known);
    }

    /** Something is due now. */
    public void dueNow() {
        dueAt(clock.instant());
    }

    /**
     * Whether to search now. When it answers yes, what was announced as due by now is taken as handed to that search;
     * what is due later stays announced.
     */
    public boolean searchNow() {
        Instant now = clock.instant();
        boolean full = lastFullSearch == null || !now.isBefore(lastFullSearch.plus(fullSearchEvery));
        Instant known = next.getAndSet(Instant.MAX);
        if (known.isAfter(now)) {
            dueAt(known);
        }
        if (full) {
            lastFullSearch = now;
        }
        return full || !known.isAfter(now);
    }
}
