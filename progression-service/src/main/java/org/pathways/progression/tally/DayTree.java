package org.pathways.progression.tally;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Running sums over days as a Fenwick tree: a node (named by its last day) holds what happened on the
 * {@code 2^k} days up to it, so a change on one day adds to at most {@value #LEVELS} nodes, and everything up to a day
 * is the sum of at most {@value #LEVELS} nodes. A window's figure is then everything up to its last day minus
 * everything up to the day before it: the same few nodes whatever the window's length and however many things fell
 * in it. Used where a figure's buckets would otherwise grow with what they hold (a duration sketch gains a bin for
 * each new value, up to a few hundred: thousands of daily buckets of them grew a report 5× from 10,000 to 100,000
 * referrals). Days from 1970-01-01 to {@value #LEVELS} bits on (the year 2328).
 */
public final class DayTree {

    static final int LEVELS = 17;
    private static final long SIZE = 1L << LEVELS;

    private DayTree() {
    }

    /** The nodes a change on {@code day} adds to (none for a day outside the tree). */
    public static List<LocalDate> covering(LocalDate day) {
        List<LocalDate> nodes = new ArrayList<>();
        long i = day.toEpochDay() + 1;
        if (i < 1) {
            return nodes;
        }
        for (; i <= SIZE; i += i & -i) {
            nodes.add(LocalDate.ofEpochDay(i - 1));
        }
        return nodes;
    }

    /** The nodes whose sum is everything up to and including {@code day}. */
    public static List<LocalDate> upTo(LocalDate day) {
        List<LocalDate> nodes = new ArrayList<>();
        for (long i = Math.min(day.toEpochDay() + 1, SIZE); i > 0; i -= i & -i) {
            nodes.add(LocalDate.ofEpochDay(i - 1));
        }
        return nodes;
    }
}
