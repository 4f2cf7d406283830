package org.pathways.progression.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.pathways.progression.disclosure.ReportedCount;

class DurationSummaryTest {

    @Test
    void takesNearestRankMedianAndNinetiethPercentileWhateverTheOrder() {
        DurationSummary summary = DurationSummary.of(List.of(50L, 10L, 40L, 20L, 30L));
        assertThat(summary).isEqualTo(new DurationSummary(ReportedCount.of(5), 30L, 50L));
        assertThat(DurationSummary.of(LongStream.rangeClosed(1, 100).boxed().toList()))
                .isEqualTo(new DurationSummary(ReportedCount.of(100), 50L, 90L));
    }

    @Test
    void withholdsTheMedianAndP90OfFewerThanFiveDurations() {
        // Over one referral they would be that referral's own response time; over four, nearly so.
        assertThat(DurationSummary.of(List.of(7L))).isEqualTo(new DurationSummary(ReportedCount.of(1), null, null));
        DurationSummary four = DurationSummary.of(List.of(7L, 8L, 9L, 10L));
        assertThat(four.medianSeconds()).isNull();
        assertThat(four.p90Seconds()).isNull();
        assertThat(four.count().toString()).isEqualTo("<5");
    }

    @Test
    void hasNoFiguresWhenNothingWasMeasured() {
        assertThat(DurationSummary.of(List.of())).isEqualTo(new DurationSummary(ReportedCount.ZERO, null, null));
    }
}
