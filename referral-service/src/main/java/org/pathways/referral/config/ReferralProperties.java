package org.pathways.referral.config;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What the partnership decides about referrals ({@code pathways.referrals.*}).
 *
 * @param onConsentWithdrawn what happens to open referrals a withdrawn (or expired) consent covered
 * @param sla                the partnership's response times
 */
@ConfigurationProperties("pathways.referrals")
public record ReferralProperties(@DefaultValue("HOLD") OnConsentWithdrawn onConsentWithdrawn,
                                 @DefaultValue Sla sla) {

    public enum OnConsentWithdrawn { HOLD, CANCEL }

    /**
     * @param acknowledgeWorkingDays the receiving agency acknowledges (receives) a referral within this many
     *                               working days of its submission
     * @param decideWorkingDays      and accepts or rejects it within this many
     * @param zone                   where the working day is counted
     * @param checkEvery             how often the overdue check runs (once across all instances)
     * @param bankHolidays           the partnership's bank holidays, not working days (Saturdays and Sundays never
     *                               are); by default those of England and Wales for 2026 and 2027
     */
    public record Sla(@DefaultValue("2") int acknowledgeWorkingDays, @DefaultValue("5") int decideWorkingDays,
                      @DefaultValue("Europe/London") ZoneId zone, @DefaultValue("PT5M") Duration checkEvery,
                      @DefaultValue({"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
                              "2026-08-31", "2026-12-25", "2026-12-28",
                              "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
                              "2027-08-30", "2027-12-27", "2027-12-28"}) List<LocalDate> bankHolidays) {

        public Sla {
            bankHolidays = bankHolidays == null ? List.of() : List.copyOf(bankHolidays);
        }
    }
}
