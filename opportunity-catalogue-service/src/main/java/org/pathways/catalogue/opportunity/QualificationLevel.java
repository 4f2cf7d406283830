package org.pathways.catalogue.opportunity;

import java.util.Optional;

/** Qualification levels in order: Entry 1–3, then 1–8. A learner at one level progresses to the next. */
public enum QualificationLevel {
    E1, E2, E3, L1, L2, L3, L4, L5, L6, L7, L8;

    public static Optional<QualificationLevel> of(String code) {
        if (code == null) {
            return Optional.empty();
        }
        for (QualificationLevel level : values()) {
            if (level.name().equals(code)) {
                return Optional.of(level);
            }
        }
        return Optional.empty();
    }

    /** How many steps above {@code other} this level is (negative when below). */
    public int stepsAbove(QualificationLevel other) {
        return ordinal() - other.ordinal();
    }
}
