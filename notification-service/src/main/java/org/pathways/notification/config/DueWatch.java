package org.pathways.notification.config;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Tells a poller when a search of the store is worth making, so that it does not read a whole collection every second
 * to find nothing: the embedded store serves such a search (by status and time) only by reading every document,
 * holding the collection's lock meanwhile, so its cost grows with everything ever stored.
 *
 * <p>Whatever makes work due on this instance announces when ({@link #dueAt}: a new item, a retry, a deferral, a
 * resumed subscription); a search is made once the earliest such time has come, and in any case every
 * {@code fullSearchEvery} for what no one here announced (another instance died holding a lease). A search takes the
 * times that have come; later ones stay announced.
 */
public final class DueWatch {

    private final Clock clock;
    private final Duration fullSearchEvery;
    /** Every time announced and not yet handed to a search, earliest first (equal times count once). */
    private final ConcurrentSkipListSet<Instant> announced = new ConcurrentSkipListSet<>();
    private volatile Instant lastFullSearch;

    public DueWatch(Clock clock, Duration fullSearchEvery) {
        this.clock = clock;
        this.fullSearchEvery = fullSearchEvery;
    }

    /** Something becomes due at {@code at}. */
    public void dueAt(Instant at) {
        announced.add(at);
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
        if (full) {
            lastFullSearch = now;
        }
        boolean due = false;
        for (Instant first = firstOrNull(); first != null && !first.isAfter(now); first = firstOrNull()) {
            announced.remove(first);
            due = true;
        }
        return full || due;
    }

    private Instant firstOrNull() {
        return announced.isEmpty() ? null : announced.ceiling(Instant.MIN);
    }
}
