package org.pathways.progression.disclosure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ReportedCountTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void showsZeroAsZeroOneToFourAsLessThanFiveAndFiveOrMoreExactly() {
        assertThat(JSON.writeValueAsString(ReportedCount.of(0))).isEqualTo("0");
        for (long small = 1; small <= 4; small++) {
            assertThat(JSON.writeValueAsString(ReportedCount.of(small))).isEqualTo("\"<5\"");
            assertThat(ReportedCount.of(small).toString()).as("a CSV cell").isEqualTo("<5");
        }
        // Exact totals (issue 13): no more rounding to the nearest 5.
        assertThat(LongStream.of(5, 6, 7, 8, 12, 13, 1234).mapToObj(n -> ReportedCount.of(n).toString()))
                .containsExactly("5", "6", "7", "8", "12", "13", "1234");
        assertThat(JSON.writeValueAsString(Map.of("funnel", ReportedCount.of(13)))).isEqualTo("{\"funnel\":13}");
        assertThatThrownBy(() -> ReportedCount.of(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratesComeFromTheShownCountsAndAreWithheldWhenEitherSideIsSuppressed() {
        assertThat(ReportedCount.rate(ReportedCount.of(3), ReportedCount.of(20))).as("numerator suppressed").isNull();
        assertThat(ReportedCount.rate(ReportedCount.of(3), ReportedCount.of(4))).as("denominator suppressed").isNull();
        assertThat(ReportedCount.rate(ReportedCount.of(0), ReportedCount.of(0))).as("nothing to divide").isNull();
        assertThat(ReportedCount.rate(ReportedCount.of(0), ReportedCount.of(10))).isEqualTo(0.0);
        // Counts of five or more are shown exactly, so a rate from them reveals nothing they do not.
        assertThat(ReportedCount.rate(ReportedCount.of(11), ReportedCount.of(12))).isEqualTo(0.917);
        assertThat(ReportedCount.rate(ReportedCount.of(5), ReportedCount.of(20))).isEqualTo(0.25);
    }
}
