package org.pathways.referral.sla;

import java.time.Instant;

import org.pathways.referral.config.ReferralProperties;
import org.pathways.referral.domain.Referral;
import org.springframework.stereotype.Component;

/**
 * The partnership's response times as due dates: N working days after submission, skipping weekends and the
 * partnership's bank holidays ({@code pathways.referrals.sla.bank-holidays}). The same calendar counts the working
 * time a referral spends on hold, by which its pending deadlines move on when it resumes.
 */
@Component
public class ResponseTimes {

    private final ReferralProperties.Sla sla;
    private final WorkingCalendar calendar;

    public ResponseTimes(ReferralProperties properties) {
        this.sla = properties.sla();
        this.calendar = new WorkingCalendar(sla.zone(), sla.bankHolidays());
    }

    public Referral.DueDates dueDates(Instant submittedAt) {
        return new Referral.DueDates(calendar.plusWorkingDays(submittedAt, sla.acknowledgeWorkingDays()),
                calendar.plusWorkingDays(submittedAt, sla.decideWorkingDays()));
    }

    public WorkingCalendar calendar() {
        return calendar;
    }

    Instant addWorkingDays(Instant from, int days) {
        return calendar.plusWorkingDays(from, days);
    }
}
