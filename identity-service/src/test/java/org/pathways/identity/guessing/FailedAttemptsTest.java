package org.pathways.identity.guessing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.pathways.identity.guessing.GuessingProperties.Limit;
import org.pathways.testing.MutableClock;

class FailedAttemptsTest {

    private final MutableClock clock = MutableClock.stoppedAt(Instant.parse("2026-12-07T09:00:00Z"));
    private final FailedAttempts attempts = new FailedAttempts(new Limit(3, Duration.ofMinutes(15)), clock);

    @Test
    void theFailureThatReachesTheLimitPausesTheKeyForAWindow() {
        assertThat(attempts.failed("key")).isFalse();
        assertThat(attempts.failed("key")).isFalse();
        assertThat(attempts.refusal("key")).isEmpty();

        assertThat(attempts.failed("key")).as("reported once, when reached").isTrue();
        clock.advance(Duration.ofMinutes(5));

        assertThat(attempts.refusal("key")).contains(Duration.ofMinutes(10));
        assertThat(attempts.refusal("other")).isEmpty();
        assertThat(attempts.failed("key")).as("not reported again").isFalse();
        clock.advance(Duration.ofMinutes(10));
        assertThat(attempts.refusal("key")).isEmpty();
    }

    @Test
    void failuresFurtherApartThanTheWindowDoNotAddUp() {
        attempts.failed("key");
        attempts.failed("key");
        clock.advance(Duration.ofMinutes(15));

        assertThat(attempts.failed("key")).isFalse();
        assertThat(attempts.refusal("key")).isEmpty();
    }

    @Test
    void aSuccessStartsTheCountAfresh() {
        attempts.failed("key");
        attempts.failed("key");
        attempts.succeeded("key");

        assertThat(attempts.failed("key")).isFalse();
        assertThat(attempts.failed("key")).isFalse();
        assertThat(attempts.refusal("key")).isEmpty();
    }
}
