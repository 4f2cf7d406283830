package org.pathways.catalogue.opportunity;

import java.time.LocalDate;
import java.util.Set;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** When an opportunity runs: dates, number of sessions, the slots of the week, and a human description. */
public record Schedule(
        LocalDate startsOn,
        LocalDate endsOn,
        @PositiveOrZero @Max(1000) Integer sessions,
        @Size(max = 3) Set<TimeSlot> slots,
        @Size(max = 200) String times) {

    public Schedule {
        slots = slots == null ? Set.of() : Set.copyOf(slots);
        if (startsOn != null && endsOn != null && endsOn.isBefore(startsOn)) {
            throw new IllegalArgumentException("A schedule ends after it starts");
        }
    }

    /** Whether it says more than the slots of the week: dates, a number of sessions, or times in words. */
    public boolean hasDatesOrWords() {
        return startsOn != null || endsOn != null || sessions != null || times != null;
    }
}
