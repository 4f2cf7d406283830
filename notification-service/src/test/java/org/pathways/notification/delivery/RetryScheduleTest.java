package org.pathways.notification.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class RetryScheduleTest {

    private static final List<Duration> STANDARD = List.of(Duration.ZERO, Duration.ofSeconds(5),
            Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5),
            Duration.ofHours(10), Duration.ofHours(10));

    private final RetrySchedule schedule = new RetrySchedule(STANDARD, 0.1, Duration.ofHours(10));

    @Test
    void followsTheStandardWebhooksScheduleWithJitterThatOnlyAdds() {
        assertThat(schedule.attempts()).isEqualTo(8);
        assertThat(schedule.first()).isZero();
        SplittableRandom random = new SplittableRandom(7);
        for (int attempt = 2; attempt <= 8; attempt++) {
            Duration planned = STANDARD.get(attempt - 1);
            for (int i = 0; i < 200; i++) {
                assertThat(schedule.before(attempt, null, random))
                        .isBetween(planned, planned.plusMillis(planned.toMillis() / 10));
            }
        }
    }

    @Test
    void jitterSpreadsRetriesThatFailedTogether() {
        SplittableRandom random = new SplittableRandom(11);
        long distinct = IntStream.range(0, 50).mapToObj(i -> schedule.before(3, null, random)).distinct().count();
        assertThat(distinct).isGreaterThan(40);
    }

    @Test
    void aRetryAfterReplacesTheScheduledDelayUpToTheCeiling() {
        RetrySchedule exact = new RetrySchedule(STANDARD, 0, Duration.ofHours(1));
        SplittableRandom random = new SplittableRandom(3);
        assertThat(exact.before(2, Duration.ofSeconds(42), random)).isEqualTo(Duration.ofSeconds(42));
        assertThat(exact.before(5, Duration.ofSeconds(1), random)).isEqualTo(Duration.ofSeconds(1));
        assertThat(exact.before(2, Duration.ofDays(30), random)).isEqualTo(Duration.ofHours(1));
        assertThat(schedule.before(2, Duration.ofSeconds(60), random)).isBetween(Duration.ofSeconds(60),
                Duration.ofSeconds(66));
    }

    @Test
    void thereIsNoAttemptBeyondTheSchedule() {
        assertThatThrownBy(() -> schedule.before(9, null, new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetrySchedule(List.of(), 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
