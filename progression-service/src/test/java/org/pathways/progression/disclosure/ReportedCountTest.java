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
    void showsZeroAsZeroOneToFourAsLessThanFiveAndTheRestRoundedToTheNearestFive() {
        assertThat(JSON.writeValueAsString(ReportedCount.of(0))).isEqualTo("0");
        for (long small = 1; small <= 4; small++) {
            assertThat(JSON.writeValueAsString(ReportedCount.of(small))).isEqualTo("\"<5\"");
            assertThat(ReportedCount.of(small).toString()).as("a CSV cell").isEqualTo("<5");
        }
        assertThat(LongStream.of(5, 6, 7, 8, 12, 13, 1234).mapToObj(n -> ReportedCount.of(n).toString()))
                .containsExactly("5", "5", "5", "10", "10", "15", "1235");
        assertThat(JSON.writeValueAsString(Map.of("funnel", ReportedCount.of(13)))).isEqualTo("{\"funnel\":15}");
        assertThatThrownBy(() -> ReportedCount.of(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTotalMinusItsVisiblePartsDoesNotGiveBackASuppressedPart() {
        // 12 referrals: 9 by one route, 3 by another. Exact totals would give 12 - 9 = 3 back.
        ReportedCount total = ReportedCount.of(12);
        ReportedCount visible = ReportedCount.of(9);
        assertThat(ReportedCount.of(3).suppressed()).isTrue();
        assertThat(total).isEqualTo(visible).hasToString("10");
        // The same for 10 = 9 + 1 and 14 = 9 + 5 (a shown 10 with a shown 10 could be 0 to 4 apart).
        assertThat(ReportedCount.of(10)).isEqualTo(ReportedCount.of(9));
    }

    @Test
    void ratesComeFromTheShownCountsAndAreWithheldWhenEitherSideIsSuppressed() {
        assertThat(ReportedCount.rate(ReportedCount.of(3), ReportedCount.of(20))).as("numerator suppressed").isNull();
        assertThat(ReportedCount.rate(ReportedCount.of(3), ReportedCount.of(4))).as("denominator suppressed").isNull();
        assertThat(ReportedCount.rate(ReportedCount.of(0), ReportedCount.of(0))).as("nothing to divide").isNull();
        assertThat(ReportedCount.rate(ReportedCount.of(0), ReportedCount.of(10))).isEqualTo(0.0);
        // 11 of 12 exactly would be 0.917 and give both counts back; shown it is 10 of 10.
        assertThat(ReportedCount.rate(ReportedCount.of(11), ReportedCount.of(12))).isEqualTo(1.0);
        assertThat(ReportedCount.rate(ReportedCount.of(5), ReportedCount.of(20))).isEqualTo(0.25);
    }
}
