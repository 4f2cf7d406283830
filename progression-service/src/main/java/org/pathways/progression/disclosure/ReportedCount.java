package org.pathways.progression.disclosure;

import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A count as the partnership's figures show it, so that no figure singles a person out. The one place the rule
 * lives (every count in a report, a summary, a CSV cell or a live update is one of these):
 * <ul>
 *   <li>0 is shown as 0;</li>
 *   <li>1 to 4 are shown as {@value #SUPPRESSED} (in JSON the string, otherwise a number);</li>
 *   <li>5 and more are shown exactly: the partnership needs exact totals (see docs/progression-service.md for the
 *       differencing risk this leaves and how it is bounded: windows of whole days, rates and quantiles withheld
 *       beside a suppressed count).</li>
 * </ul>
 * Rates are taken from the shown counts ({@link #rate}), never from the exact ones, and are withheld when either
 * side is suppressed, so a rate reveals nothing the counts do not.
 */
public final class ReportedCount {

    /** What a count from 1 to {@value #THRESHOLD} - 1 is shown as. */
    public static final String SUPPRESSED = "<5";
    /** The smallest count shown as a number (other than 0). */
    public static final int THRESHOLD = 5;

    public static final ReportedCount ZERO = new ReportedCount(0, false);
    private static final ReportedCount SMALL = new ReportedCount(0, true);

    private final long shown;
    private final boolean suppressed;

    private ReportedCount(long shown, boolean suppressed) {
        this.shown = shown;
        this.suppressed = suppressed;
    }

    /** How an exact count is shown. */
    public static ReportedCount of(long exact) {
        if (exact < 0) {
            throw new IllegalArgumentException("A count is never negative");
        }
        if (exact == 0) {
            return ZERO;
        }
        if (exact < THRESHOLD) {
            return SMALL;
        }
        return new ReportedCount(exact, false);
    }

    /** Each count of a breakdown (e.g. rejections by reason), in key order. */
    public static Map<String, ReportedCount> ofEach(Map<String, Long> exact) {
        Map<String, ReportedCount> shown = new TreeMap<>();
        exact.forEach((key, count) -> shown.put(key, of(count)));
        return shown;
    }

    /**
     * The share {@code part / whole} of the shown counts, to three places; null (withheld) when either is suppressed
     * or the whole is 0.
     */
    public static Double rate(ReportedCount part, ReportedCount whole) {
        if (part.suppressed || whole.suppressed || whole.shown == 0) {
            return null;
        }
        return Math.round(1000.0 * part.shown / whole.shown) / 1000.0;
    }

    /** Whether the count was from 1 to 4. */
    public boolean suppressed() {
        return suppressed;
    }

    /** Whether a figure drawn from this many values (a median, a percentile) may be shown. */
    public static boolean enoughToSummarise(long exact) {
        return exact >= THRESHOLD;
    }

    /** The JSON form: a number, or the string {@value #SUPPRESSED}. */
    @JsonValue
    public Object json() {
        return suppressed ? SUPPRESSED : (Object) shown;
    }

    /** The form for a CSV cell or a log line: the number, or {@value #SUPPRESSED}. */
    @Override
    public String toString() {
        return suppressed ? SUPPRESSED : Long.toString(shown);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReportedCount that && shown == that.shown && suppressed == that.suppressed;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(shown) * 31 + (suppressed ? 1 : 0);
    }
}
