package org.pathways.referral.config;

import java.time.Duration;
import java.time.ZoneId;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What the partnership decides about referrals ({@code pathways.referrals.*}).
 *
 * @param onConsentWithdrawn what happens to open referrals a withdrawn consent covered
 * @param sla                the partnership's response times
 */
@ConfigurationProperties("pathways.referrals")
public record ReferralProperties(@DefaultValue("HOLD") OnConsentWithdrawn onConsentWithdrawn,
                                 @DefaultValue Sla sla) {

    public enum OnConsentWithdrawn { HOLD, CANCEL }

    /**
     * @param acknowledgeWorkingDays the receiving agency acknowledges (receives) a referral within this many
     *                               working days (Monday to Friday) of its submission
     * @param decideWorkingDays      and accepts or rejects it within this many
     * @param zone                   where the working day is counted
     * @param checkEvery             how often the overdue check runs (once across all instances)
     */
    public record Sla(@DefaultValue("2") int acknowledgeWorkingDays, @DefaultValue("5") int decideWorkingDays,
                      @DefaultValue("Europe/London") ZoneId zone, @DefaultValue("PT5M") Duration checkEvery) {
    }
}
