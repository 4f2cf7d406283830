package org.pathways.referral.sla;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.Set;

import org.pathways.referral.domain.Referral;

/**
 * The partnership's working days: Monday to Friday in its time zone, except its bank holidays. Counts working days
 * and working time (the hours of working days only), for the response-time clocks and their pauses.
 */
public final class WorkingCalendar implements Referral.WorkingTime {

    private final ZoneId zone;
    private final Set<LocalDate> bankHolidays;

    public WorkingCalendar(ZoneId zone, Collection<LocalDate> bankHolidays) {
        this.zone = zone;
        this.bankHolidays = Set.copyOf(bankHolidays);
    }

    public boolean isWorkingDay(LocalDate day) {
        return day.getDayOfWeek() != DayOfWeek.SATURDAY && day.getDayOfWeek() != DayOfWeek.SUNDAY
                && !bankHolidays.contains(day);
    }

    /** The same time of day, {@code days} working days later (a day off does not count). */
    public Instant plusWorkingDays(Instant from, int days) {
        ZonedDateTime at = from.atZone(zone);
        int added = 0;
        while (added < days) {
            at = at.plusDays(1);
            if (isWorkingDay(at.toLocalDate())) {
                added++;
            }
        }
        return at.toInstant();
    }

    /** How much of the time between the two instants fell on working days. */
    @Override
    public Duration between(Instant from, Instant to) {
        Duration working = Duration.ZERO;
        ZonedDateTime at = from.atZone(zone);
        ZonedDateTime end = to.atZone(zone);
        while (at.isBefore(end)) {
            ZonedDateTime nextDay = at.toLocalDate().plusDays(1).atStartOfDay(zone);
            ZonedDateTime until = nextDay.isBefore(end) ? nextDay : end;
            if (isWorkingDay(at.toLocalDate())) {
                working = working.plus(Duration.between(at, until));
            }
            at = until;
        }
        return working;
    }

    /** The instant {@code working} working time after {@code from}: days off pass without counting. */
    @Override
    public Instant plus(Instant from, Duration working) {
        ZonedDateTime at = from.atZone(zone);
        Duration left = working;
        while (left.isPositive()) {
            ZonedDateTime nextDay = at.toLocalDate().plusDays(1).atStartOfDay(zone);
            if (isWorkingDay(at.toLocalDate())) {
                Duration rest = Duration.between(at, nextDay);
                if (left.compareTo(rest) <= 0) {
                    return at.plus(left).toInstant();
                }
                left = left.minus(rest);
            }
            at = nextDay;
        }
        return at.toInstant();
    }
}
