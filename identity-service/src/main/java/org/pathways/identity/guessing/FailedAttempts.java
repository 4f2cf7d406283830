package org.pathways.identity.guessing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.pathways.identity.guessing.GuessingProperties.Limit;

/**
 * Failures per key (a username, an address, a client id) within a window, and whether the key is refused now. A
 * Caffeine cache bounded by the total length of its keys (an attacker chooses them) and expiring entries once
 * their window has passed, so that memory stays bounded whatever is sent.
 */
final class FailedAttempts {

    /** Each entry weighs its key's length plus a fixed share: some 45,000 keys of a dozen characters, a few MB. */
    private static final long MAX_WEIGHT = 2_000_000;
    private static final int ENTRY_WEIGHT = 32;

    private record Attempts(Instant since, int failures, Instant refusedUntil) {

        boolean isOver(Instant now, Duration window) {
            return !now.isBefore(refusedUntil != null ? refusedUntil : since.plus(window));
        }
    }

    private final Limit limit;
    private final Clock clock;
    private final Cache<String, Attempts> attempts;

    FailedAttempts(Limit limit, Clock clock) {
        this.limit = limit;
        this.clock = clock;
        this.attempts = Caffeine.newBuilder()
                .maximumWeight(MAX_WEIGHT)
                .weigher((String key, Attempts value) -> key.length() + ENTRY_WEIGHT)
                // every entry is over no later than a window after its last write
                .expireAfterWrite(limit.window().plusSeconds(1))
                .build();
    }

    /** How much longer the key is refused; empty if it may try. */
    Optional<Duration> refusal(String key) {
        Attempts current = attempts.getIfPresent(key);
        Instant now = clock.instant();
        if (current == null || current.refusedUntil() == null || current.isOver(now, limit.window())) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, current.refusedUntil()));
    }

    /** Counts a failure; true when it is the one that reached the limit (the key is refused from now on). */
    boolean failed(String key) {
        boolean[] reached = {false};
        attempts.asMap().compute(key, (k, current) -> {
            Instant now = clock.instant();
            Attempts counting = current == null || current.isOver(now, limit.window())
                    ? new Attempts(now, 0, null) : current;
            int failures = counting.failures() + 1;
            if (failures < limit.failures()) {
                return new Attempts(counting.since(), failures, null);
            }
            reached[0] = counting.refusedUntil() == null;
            return new Attempts(counting.since(), failures,
                    reached[0] ? now.plus(limit.window()) : counting.refusedUntil());
        });
        return reached[0];
    }

    void succeeded(String key) {
        attempts.invalidate(key);
    }

    Limit limit() {
        return limit;
    }
}
