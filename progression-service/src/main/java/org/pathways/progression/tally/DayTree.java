package org.pathways.progression.tally;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Sums over days kept in aligned blocks of {@link #SPANS} days (1, 8 and 64: a day, and the blocks of 8 and of 64 days
 * counted from 1970-01-01 that hold it), so a change on one day adds to {@value #NODES} nodes, and any window is the
 * sum of the blocks that tile it ({@link #window}): at each end at most 7 days and 7 blocks of 8, and the blocks of 64
 * between them, so at most 33 nodes for 366 days, the longest window a report takes, however many things fell in it.
 * Used where a figure's buckets would otherwise grow with what they hold (a duration sketch gains a bin for each new
 * value, up to a few hundred: thousands of daily buckets of them grew a report 5× from 10,000 to 100,000 referrals).
 *
 * <p>Until 2026-12-03 the nodes were those of a Fenwick tree over every day since 1970 (a node, named by its last
 * day, held the 2^k days up to it): a change added to 17 nodes, which made the durations most of a batch's store
 * writes (17 increments per pair of agencies and day against 2–3 for the daily buckets). Nodes written then are still
 * read, as they were ({@link #legacyUpTo}), until the next rebuild leaves none: both kinds add up.
 */
public final class DayTree {

    /** The lengths of the blocks, in days, shortest first; each divides the next. */
    static final List<Integer> SPANS = List.of(1, 8, 64);
    /** How many nodes a change on one day adds to. */
    static final int NODES = 3;
    /** The Fenwick tree's levels (nodes written before the blocks). */
    static final int LEGACY_LEVELS = 17;
    private static final long LEGACY_SIZE = 1L << LEGACY_LEVELS;

    private DayTree() {
    }

    /** One block: its first day and its length in days. */
    public record Node(LocalDate first, int span) {
    }

    /** The blocks a change on {@code day} adds to: one of each length. */
    public static List<Node> covering(LocalDate day) {
        long epochDay = day.toEpochDay();
        List<Node> nodes = new ArrayList<>(SPANS.size());
        for (int span : SPANS) {
            nodes.add(new Node(LocalDate.ofEpochDay(epochDay - Math.floorMod(epochDay, span)), span));
        }
        return nodes;
    }

    /**
     * The blocks that tile the days from {@code from} to {@code to} (inclusive): from the first day on, each time the
     * longest block that starts there and ends within the window. Each day of the window is in exactly one of them,
     * and no other day is in any (none for an empty window).
     */
    public static List<Node> window(LocalDate from, LocalDate to) {
        List<Node> nodes = new ArrayList<>();
        long last = to.toEpochDay();
        for (long day = from.toEpochDay(); day <= last; ) {
            int chosen = 1;
            for (int span : SPANS) {
                if (Math.floorMod(day, span) == 0 && day + span - 1 <= last) {
                    chosen = span;
                }
            }
            nodes.add(new Node(LocalDate.ofEpochDay(day), chosen));
            day += chosen;
        }
        return nodes;
    }

    /**
     * The Fenwick tree's nodes (written before the blocks, named by their last day) whose sum is everything up to and
     * including {@code day}.
     */
    public static List<LocalDate> legacyUpTo(LocalDate day) {
        List<LocalDate> nodes = new ArrayList<>();
        for (long i = Math.min(day.toEpochDay() + 1, LEGACY_SIZE); i > 0; i -= i & -i) {
            nodes.add(LocalDate.ofEpochDay(i - 1));
        }
        return nodes;
    }

    /** The Fenwick tree's nodes a change on {@code day} added to (for tests of nodes written before the blocks). */
    static List<LocalDate> legacyCovering(LocalDate day) {
        List<LocalDate> nodes = new ArrayList<>();
        long i = day.toEpochDay() + 1;
        if (i < 1) {
            return nodes;
        }
        for (; i <= LEGACY_SIZE; i += i & -i) {
            nodes.add(LocalDate.ofEpochDay(i - 1));
        }
        return nodes;
    }
}
