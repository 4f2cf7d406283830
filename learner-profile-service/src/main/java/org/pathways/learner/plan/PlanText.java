package org.pathways.learner.plan;

import java.time.LocalDate;

import org.pathways.platform.problem.ProblemException;

/** What the plan accepts as text, ids and dates. */
final class PlanText {

    /** Not blank, without control characters (one line); linear to match. */
    static final String TITLE = "\\p{Zs}*[^\\p{Cntrl}\\s][^\\p{Cntrl}]*";
    /** How far a due date may lie from today, either way. */
    private static final int YEARS = 5;

    private PlanText() {
    }

    static void requireSensibleDueDate(LocalDate dueOn, LocalDate today) {
        if (dueOn != null && (dueOn.isBefore(today.minusYears(YEARS)) || dueOn.isAfter(today.plusYears(YEARS)))) {
            throw ProblemException.unprocessable("due-date-out-of-range",
                    "A step is due within " + YEARS + " years of today, either way.");
        }
    }
}
