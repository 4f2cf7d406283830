package org.pathways.progression.disclosure;

import org.pathways.progression.tally.DurationSketch;

/**
 * How long something took across a set of referrals: how many (as shown, {@link ReportedCount}), the median and the
 * 90th percentile, in seconds, read from a {@link DurationSketch} (within 1% of the exact figure, at any number of
 * referrals). The median and p90 are withheld (null) over fewer than {@value ReportedCount#THRESHOLD} durations: over
 * one they would be that one referral's.
 */
public record DurationSummary(ReportedCount count, Long medianSeconds, Long p90Seconds) {

    public static DurationSummary of(DurationSketch durations) {
        long count = durations.count();
        if (!ReportedCount.enoughToSummarise(count)) {
            return new DurationSummary(ReportedCount.of(count), null, null);
        }
        return new DurationSummary(ReportedCount.of(count), durations.quantile(0.5), durations.quantile(0.9));
    }
}
