package org.pathways.notification.delivery;

import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * When to try a webhook again: the delay before each attempt (the Standard Webhooks schedule by default:
 * immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), stretched by a little random jitter so that the retries of
 * many deliveries that failed together do not arrive together. A receiver's {@code Retry-After} replaces the
 * scheduled delay, up to a ceiling.
 */
public record RetrySchedule(List<Duration> delays, double jitter, Duration maxRetryAfter) {

    public RetrySchedule {
        delays = List.copyOf(delays);
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("A retry schedule has at least one attempt");
        }
    }

    /** How many attempts are made before a delivery is parked. */
    public int attempts() {
        return delays.size();
    }

    /** The delay before the first attempt. */
    public Duration first() {
        return delays.getFirst();
    }

    /**
     * The delay before attempt number {@code attempt} (1-based, 2 or more), given the {@code Retry-After} of the
     * previous answer (null if none). Jitter only ever adds, so a Retry-After is never undercut.
     */
    public Duration before(int attempt, Duration retryAfter, RandomGenerator random) {
        if (attempt < 2 || attempt > attempts()) {
            throw new IllegalArgumentException("No attempt " + attempt + " in a schedule of " + attempts());
        }
        Duration base = retryAfter != null
                ? (retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter)
                : delays.get(attempt - 1);
        long spread = (long) (base.toMillis() * jitter);
        return spread > 0 ? base.plusMillis(random.nextLong(spread + 1)) : base;
    }
}
