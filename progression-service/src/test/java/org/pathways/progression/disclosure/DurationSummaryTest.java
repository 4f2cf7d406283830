package org.pathways.progression.disclosure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.pathways.progression.tally.DurationSketch;

class DurationSummaryTest {

    /** Durations as a bucket keeps them: counts per sketch bin. */
    private static DurationSketch sketch(List<Long> seconds) {
        Map<String, Long> bins = new TreeMap<>();
        seconds.forEach(s -> bins.merge(DurationSketch.bin(s), 1L, Long::sum));
        DurationSketch sketch = new DurationSketch();
        sketch.add(bins);
        return sketch;
    }

    @Test
    void readsTheMedianAndNinetiethPercentileWithinOnePercentWhateverTheOrder() {
        DurationSummary summary = DurationSummary.of(sketch(List.of(50L, 10L, 40L, 20L, 30L)));
        assertThat(summary.count()).isEqualTo(ReportedCount.of(5));
        // DDSketch's quantile q is the value of rank q × (n − 1): 30 and 40 of five.
        assertThat(summary.medianSeconds()).isCloseTo(30L, within(1L));
        assertThat(summary.p90Seconds()).isCloseTo(40L, within(1L));
        DurationSummary hundred = DurationSummary.of(sketch(LongStream.rangeClosed(1, 100_000).boxed().toList()));
        assertThat(hundred.count()).isEqualTo(ReportedCount.of(100_000));
        assertThat(hundred.medianSeconds()).isCloseTo(50_000L, within(500L));
        assertThat(hundred.p90Seconds()).isCloseTo(90_000L, within(900L));
    }

    @Test
    void mergesBucketsByAddingTheirBinsAndForgetsADurationMovedOut() {
        Map<String, Long> bins = new TreeMap<>();
        for (long s : List.of(3600L, 3600L, 7200L, 7200L, 7200L, 86_400L)) {
            bins.merge(DurationSketch.bin(s), 1L, Long::sum);
        }
        // A referral whose decision moved from a day to an hour: one out of one bin, one into another.
        bins.merge(DurationSketch.bin(86_400L), -1L, Long::sum);
        bins.merge(DurationSketch.bin(3600L), 1L, Long::sum);
        DurationSketch sketch = new DurationSketch();
        sketch.add(bins);
        assertThat(sketch.count()).isEqualTo(6);
        assertThat(sketch.quantile(0.9)).isCloseTo(7200L, within(72L));
        assertThat(sketch.quantile(0.0)).isCloseTo(3600L, within(36L));
    }

    @Test
    void withholdsTheMedianAndP90OfFewerThanFiveDurations() {
        // Over one referral they would be that referral's own response time; over four, nearly so.
        assertThat(DurationSummary.of(sketch(List.of(7L))))
                .isEqualTo(new DurationSummary(ReportedCount.of(1), null, null));
        DurationSummary four = DurationSummary.of(sketch(List.of(7L, 8L, 9L, 10L)));
        assertThat(four.medianSeconds()).isNull();
        assertThat(four.p90Seconds()).isNull();
        assertThat(four.count().toString()).isEqualTo("<5");
    }

    @Test
    void hasNoFiguresWhenNothingWasMeasured() {
        assertThat(DurationSummary.of(sketch(List.of())))
                .isEqualTo(new DurationSummary(ReportedCount.ZERO, null, null));
    }
}
