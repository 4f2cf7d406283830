package org.pathways.progression.funnel;

import java.util.List;

import org.pathways.progression.disclosure.ReportedCount;

/**
 * How long something took across a set of referrals: how many (as shown, {@link ReportedCount}), the median and the
 * 90th percentile, in seconds (nearest-rank percentiles, so every figure is a duration some referral actually took).
 * The median and p90 are withheld (null) over fewer than {@value ReportedCount#THRESHOLD} durations: over one they
 * would be that one referral's.
 */
public record DurationSummary(ReportedCount count, Long medianSeconds, Long p90Seconds) {

    public static DurationSummary of(List<Long> seconds) {
        if (!ReportedCount.enoughToSummarise(seconds.size())) {
            return new DurationSummary(ReportedCount.of(seconds.size()), null, null);
        }
        List<Long> sorted = seconds.stream().sorted().toList();
        return new DurationSummary(ReportedCount.of(sorted.size()), percentile(sorted, 50), percentile(sorted, 90));
    }

    /** The nearest-rank percentile: the smallest value with at least {@code p}% of values at or below it. */
    static long percentile(List<Long> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1);
    }
}
