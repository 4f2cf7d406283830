package org.pathways.progression.report;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;

/**
 * The dates a report covers, both inclusive (UTC). Defaults to the last 28 days; at most a year and a day, so that
 * every report reads a bounded slice of a projection.
 */
public record ReportWindow(LocalDate from, LocalDate to) {

    public static final int MAX_DAYS = 366;
    static final int DEFAULT_DAYS = 28;

    public ReportWindow {
        if (from.isAfter(to)) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "validation", "'from' must not be after 'to'.");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "validation",
                    "A report covers at most " + MAX_DAYS + " days.");
        }
    }

    /** The window asked for, filling what was left out from today (UTC). */
    public static ReportWindow of(LocalDate from, LocalDate to, Clock clock) {
        LocalDate end = to != null ? to : from != null ? from.plusDays(DEFAULT_DAYS - 1)
                : LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate start = from != null ? from : end.minusDays(DEFAULT_DAYS - 1);
        return new ReportWindow(start, end);
    }

    public Instant startInstant() {
        return from.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** The first instant after the window. */
    public Instant endInstant() {
        return to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
