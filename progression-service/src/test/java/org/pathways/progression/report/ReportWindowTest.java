package org.pathways.progression.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.pathways.platform.problem.ProblemException;

class ReportWindowTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-24T06:00:00Z"), ZoneOffset.UTC);

    @Test
    void defaultsToTheLastTwentyEightDays() {
        assertThat(ReportWindow.of(null, null, clock))
                .isEqualTo(new ReportWindow(LocalDate.parse("2026-10-28"), LocalDate.parse("2026-11-24")));
        assertThat(ReportWindow.of(LocalDate.parse("2026-01-01"), null, clock).to())
                .isEqualTo(LocalDate.parse("2026-01-28"));
    }

    @Test
    void refusesABackwardsOrOverlongWindow() {
        assertThatThrownBy(() -> new ReportWindow(LocalDate.parse("2026-02-02"), LocalDate.parse("2026-02-01")))
                .isInstanceOf(ProblemException.class);
        assertThatThrownBy(() -> new ReportWindow(LocalDate.parse("2025-01-01"), LocalDate.parse("2026-01-02")))
                .isInstanceOf(ProblemException.class);
        assertThat(new ReportWindow(LocalDate.parse("2025-01-01"), LocalDate.parse("2026-01-01")).endInstant())
                .isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
    }

    @Test
    void bucketsWeeksFromMonday() {
        assertThat(Period.WEEK.start(LocalDate.parse("2026-11-29"))).isEqualTo(LocalDate.parse("2026-11-23"));
        assertThat(Period.DAY.start(LocalDate.parse("2026-11-29"))).isEqualTo(LocalDate.parse("2026-11-29"));
    }
}
