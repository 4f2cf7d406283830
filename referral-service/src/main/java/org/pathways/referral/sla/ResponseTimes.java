package org.pathways.referral.sla;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZonedDateTime;

import org.pathways.referral.config.ReferralProperties;
import org.pathways.referral.submission.Referral;
import org.springframework.stereotype.Component;

/**
 * The partnership's response times as due dates: N working days after submission, skipping Saturdays and Sundays
 * (bank holidays are not modelled yet).
 */
@Component
public class ResponseTimes {

    private final ReferralProperties.Sla sla;

    ResponseTimes(ReferralProperties properties) {
        this.sla = properties.sla();
    }

    public Referral.DueDates dueDates(Instant submittedAt) {
        return new Referral.DueDates(addWorkingDays(submittedAt, sla.acknowledgeWorkingDays()),
                addWorkingDays(submittedAt, sla.decideWorkingDays()));
    }

    Instant addWorkingDays(Instant from, int days) {
        ZonedDateTime at = from.atZone(sla.zone());
        int added = 0;
        while (added < days) {
            at = at.plusDays(1);
            if (at.getDayOfWeek() != DayOfWeek.SATURDAY && at.getDayOfWeek() != DayOfWeek.SUNDAY) {
                added++;
            }
        }
        return at.toInstant();
    }
}
