package org.pathways.notification.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.pathways.testing.MutableClock;

class DueWatchTest {

    private static final Instant T0 = Instant.parse("2026-12-02T09:00:00Z");

    private final MutableClock clock = MutableClock.stoppedAt(T0);
    private final DueWatch due = new DueWatch(clock, Duration.ofMinutes(1));

    @Test
    void searchesAtStartThenOnlyOnceSomethingAnnouncedIsDue() {
        assertThat(due.searchNow()).as("at start: whatever was left before").isTrue();
        assertThat(due.searchNow()).as("nothing announced").isFalse();

        due.dueAt(T0.plusSeconds(5));
        clock.advance(Duration.ofSeconds(4));
        assertThat(due.searchNow()).as("not yet").isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(due.searchNow()).isTrue();
        assertThat(due.searchNow()).as("handed to that search").isFalse();
    }

    @Test
    void theEarliestAnnouncementCountsAndALaterOneOutlivesASearchMadeForAnEarlierOne() {
        due.searchNow();
        due.dueAt(T0.plusSeconds(30));
        due.dueAt(T0.plusSeconds(2));
        clock.advance(Duration.ofSeconds(2));
        assertThat(due.searchNow()).isTrue();
        // The 30 s one was not due at that search: it is still announced.
        clock.advance(Duration.ofSeconds(27));
        assertThat(due.searchNow()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(due.searchNow()).isTrue();
    }

    @Test
    void searchesEveryFullIntervalEvenWhenNothingWasAnnounced() {
        due.searchNow();
        clock.advance(Duration.ofSeconds(59));
        assertThat(due.searchNow()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(due.searchNow()).as("for what another instance left behind").isTrue();
    }

    @Test
    void somethingDueNowIsSearchedForAtTheNextCheck() {
        due.searchNow();
        due.dueNow();
        assertThat(due.searchNow()).isTrue();
    }
}
