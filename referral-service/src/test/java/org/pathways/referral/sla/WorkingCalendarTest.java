package org.pathways.referral.sla;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pathways.referral.config.ReferralProperties;

/** The partnership's working calendar: weekends and its bank holidays never count, in days or in hours. */
class WorkingCalendarTest {

    private static final ZoneId LONDON = ZoneId.of("Europe/London");
    /** The defaults the service starts with (England and Wales, 2026 and 2027), as bound from its YAML. */
    private static final List<LocalDate> ENGLAND_AND_WALES = List.of(
            LocalDate.parse("2026-01-01"), LocalDate.parse("2026-04-03"), LocalDate.parse("2026-04-06"),
            LocalDate.parse("2026-05-04"), LocalDate.parse("2026-05-25"), LocalDate.parse("2026-08-31"),
            LocalDate.parse("2026-12-25"), LocalDate.parse("2026-12-28"), LocalDate.parse("2027-01-01"),
            LocalDate.parse("2027-03-26"), LocalDate.parse("2027-03-29"), LocalDate.parse("2027-05-03"),
            LocalDate.parse("2027-05-31"), LocalDate.parse("2027-08-30"), LocalDate.parse("2027-12-27"),
            LocalDate.parse("2027-12-28"));

    private final WorkingCalendar calendar = new WorkingCalendar(LONDON, ENGLAND_AND_WALES);

    @Test
    void dueDatesSkipChristmasAndBoxingDayAsWellAsTheWeekend() {
        // Thursday 24 December 2026, 10:00: Friday 25 and Monday 28 are bank holidays, 26-27 the weekend.
        Instant christmasEve = Instant.parse("2026-12-24T10:00:00Z");
        assertThat(calendar.plusWorkingDays(christmasEve, 1)).isEqualTo(Instant.parse("2026-12-29T10:00:00Z"));
        assertThat(calendar.plusWorkingDays(christmasEve, 2)).isEqualTo(Instant.parse("2026-12-30T10:00:00Z"));
        // ... and New Year's Day 2027 (a Friday): 5 working days end on Tuesday 5 January.
        assertThat(calendar.plusWorkingDays(christmasEve, 5)).isEqualTo(Instant.parse("2027-01-05T10:00:00Z"));
        assertThat(calendar.plusWorkingDays(christmasEve, 6)).isEqualTo(Instant.parse("2027-01-06T10:00:00Z"));
    }

    @Test
    void dueDatesSkipEasterInSummerTime() {
        // Thursday 2 April 2026, 15:00 BST: Good Friday 3 April and Easter Monday 6 April are bank holidays.
        Instant beforeEaster = Instant.parse("2026-04-02T14:00:00Z");
        assertThat(calendar.plusWorkingDays(beforeEaster, 1)).isEqualTo(Instant.parse("2026-04-07T14:00:00Z"));
        assertThat(calendar.plusWorkingDays(beforeEaster, 2)).isEqualTo(Instant.parse("2026-04-08T14:00:00Z"));
    }

    @Test
    void theServiceDefaultsAreTheEnglandAndWalesBankHolidays() {
        ReferralProperties.Sla sla = new ReferralProperties.Sla(2, 5, LONDON, Duration.ofMinutes(5),
                ENGLAND_AND_WALES);
        assertThat(sla.bankHolidays()).hasSize(16).contains(LocalDate.parse("2027-03-26"));
        assertThat(calendar.isWorkingDay(LocalDate.parse("2027-12-28"))).isFalse();
        assertThat(calendar.isWorkingDay(LocalDate.parse("2027-12-29"))).isTrue();
        assertThat(new WorkingCalendar(LONDON, List.of()).isWorkingDay(LocalDate.parse("2026-12-25"))).isTrue();
    }

    @Test
    void workingTimeCountsOnlyTheHoursOfWorkingDays() {
        // Friday 18:00 to Monday 09:00 (no holiday): six hours of Friday and nine of Monday.
        assertThat(calendar.between(Instant.parse("2026-11-27T18:00:00Z"), Instant.parse("2026-11-30T09:00:00Z")))
                .isEqualTo(Duration.ofHours(15));
        // Thursday 24 December 12:00 to Tuesday 29 December 12:00: half of Thursday and half of Tuesday.
        assertThat(calendar.between(Instant.parse("2026-12-24T12:00:00Z"), Instant.parse("2026-12-29T12:00:00Z")))
                .isEqualTo(Duration.ofHours(24));
        // Entirely within a weekend: nothing.
        assertThat(calendar.between(Instant.parse("2026-11-28T08:00:00Z"), Instant.parse("2026-11-29T20:00:00Z")))
                .isZero();
    }

    @Test
    void movingADeadlineOnByWorkingTimeJumpsDaysOff() {
        // Thursday 24 December 10:00 plus one working day: over Christmas, Boxing Day and the weekend.
        assertThat(calendar.plus(Instant.parse("2026-12-24T10:00:00Z"), Duration.ofDays(1)))
                .isEqualTo(Instant.parse("2026-12-29T10:00:00Z"));
        assertThat(calendar.plus(Instant.parse("2026-11-27T20:00:00Z"), Duration.ofHours(6)))
                .isEqualTo(Instant.parse("2026-11-30T02:00:00Z"));
        assertThat(calendar.plus(Instant.parse("2026-11-26T10:00:00Z"), Duration.ZERO))
                .isEqualTo(Instant.parse("2026-11-26T10:00:00Z"));
        // Counting working time and moving on by it agree (a pause of a given working time, resumed).
        Instant heldAt = Instant.parse("2026-12-23T16:30:00Z");
        Instant resumedAt = Instant.parse("2027-01-04T11:15:00Z");
        Duration paused = calendar.between(heldAt, resumedAt);
        assertThat(calendar.plus(heldAt, paused)).isEqualTo(resumedAt);
    }
}
