package org.pathways.progression.funnel;

import java.util.List;

/**
 * How long something took across a set of referrals: how many, the median and the 90th percentile, in seconds
 * (nearest-rank percentiles, so every figure is a duration some referral actually took). Null figures when empty.
 */
public record DurationSummary(long count, Long medianSeconds, Long p90Seconds) {

    public static DurationSummary of(List<Long> seconds) {
        if (seconds.isEmpty()) {
            return new DurationSummary(0, null, null);
        }
        List<Long> sorted = seconds.stream().sorted().toList();
        return new DurationSummary(sorted.size(), percentile(sorted, 50), percentile(sorted, 90));
    }

    /** The nearest-rank percentile: the smallest value with at least {@code p}% of values at or below it. */
    static long percentile(List<Long> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1);
    }
}
