package org.pathways.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test moves forward on demand: lets a test reach a deadline (an SLA, an expiry, a due check) without
 * waiting. By default it runs with the system clock, shifted by what the test advanced it; {@link #stoppedAt(Instant)}
 * gives one that stands still until advanced, for unit tests that count exact durations.
 */
public final class MutableClock extends Clock {

    private final Clock base;
    private volatile Duration offset = Duration.ZERO;

    /** The system clock (UTC), moved forward on demand. */
    public MutableClock() {
        this(Clock.systemUTC());
    }

    private MutableClock(Clock base) {
        this.base = base;
    }

    /** A clock that stays at {@code instant} until the test advances it. */
    public static MutableClock stoppedAt(Instant instant) {
        return new MutableClock(Clock.fixed(instant, ZoneOffset.UTC));
    }

    public void advance(Duration by) {
        offset = offset.plus(by);
    }

    /** Back to the base clock's own time. */
    public void reset() {
        offset = Duration.ZERO;
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
