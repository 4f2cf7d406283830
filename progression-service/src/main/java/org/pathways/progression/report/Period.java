package org.pathways.progression.report;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;

/** How figures are bucketed: by UTC day, or by ISO week (starting on Monday). */
public enum Period {
    DAY, WEEK;

    /** The first day of the period {@code day} falls in. */
    public LocalDate start(LocalDate day) {
        return this == DAY ? day : day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    }
}
