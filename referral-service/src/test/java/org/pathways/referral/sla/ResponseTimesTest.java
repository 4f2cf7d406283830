package org.pathways.referral.sla;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pathways.referral.config.ReferralProperties;

class ResponseTimesTest {

    private final ResponseTimes times = new ResponseTimes(new ReferralProperties(
            ReferralProperties.OnConsentWithdrawn.HOLD,
            new ReferralProperties.Sla(2, 5, ZoneId.of("Europe/London"), Duration.ofMinutes(5), List.of())));

    @Test
    void workingDaysSkipTheWeekend() {
        Instant thursday = Instant.parse("2026-11-26T15:00:00Z");
        assertThat(times.addWorkingDays(thursday, 2)).isEqualTo(Instant.parse("2026-11-30T15:00:00Z"));
        assertThat(times.addWorkingDays(thursday, 5)).isEqualTo(Instant.parse("2026-12-03T15:00:00Z"));
        Instant saturday = Instant.parse("2026-11-28T09:00:00Z");
        assertThat(times.addWorkingDays(saturday, 1)).isEqualTo(Instant.parse("2026-11-30T09:00:00Z"));
    }

    @Test
    void dueDatesSkipTheConfiguredBankHolidays() {
        ResponseTimes withHoliday = new ResponseTimes(new ReferralProperties(ReferralProperties.OnConsentWithdrawn.HOLD,
                new ReferralProperties.Sla(2, 5, ZoneId.of("Europe/London"), Duration.ofMinutes(5),
                        List.of(java.time.LocalDate.parse("2026-11-30")))));
        Instant thursday = Instant.parse("2026-11-26T15:00:00Z");
        var due = withHoliday.dueDates(thursday);
        assertThat(due.acknowledgeBy()).isEqualTo(Instant.parse("2026-12-01T15:00:00Z"));
        assertThat(due.decideBy()).isEqualTo(Instant.parse("2026-12-04T15:00:00Z"));
    }
}
