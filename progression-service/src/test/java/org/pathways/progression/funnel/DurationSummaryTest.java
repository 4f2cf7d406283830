package org.pathways.progression.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

class DurationSummaryTest {

    @Test
    void takesNearestRankMedianAndNinetiethPercentileWhateverTheOrder() {
        DurationSummary summary = DurationSummary.of(List.of(50L, 10L, 40L, 20L, 30L));
        assertThat(summary).isEqualTo(new DurationSummary(5, 30L, 50L));
        assertThat(DurationSummary.of(LongStream.rangeClosed(1, 100).boxed().toList()))
                .isEqualTo(new DurationSummary(100, 50L, 90L));
    }

    @Test
    void aSingleDurationIsItsOwnMedianAndP90() {
        assertThat(DurationSummary.of(List.of(7L))).isEqualTo(new DurationSummary(1, 7L, 7L));
    }

    @Test
    void hasNoFiguresWhenNothingWasMeasured() {
        assertThat(DurationSummary.of(List.of())).isEqualTo(new DurationSummary(0, null, null));
    }
}
