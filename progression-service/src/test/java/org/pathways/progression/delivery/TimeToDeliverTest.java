package org.pathways.progression.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pathways.progression.disclosure.ReportedCount;
import org.pathways.progression.tally.DurationSketch;

class TimeToDeliverTest {

    private static DurationSketch timed(long... millis) {
        DurationSketch sketch = new DurationSketch();
        for (long ms : millis) {
            sketch.add(Map.of(DurationSketch.bin(ms), 1L));
        }
        return sketch;
    }

    @Test
    void fewerThanFiveTimedDeliveriesShowNoMedianOrP90() {
        DeliveryHealth.TimeToDeliver few = DeliveryHealth.TimeToDeliver.of(timed(120, 80, 3_000, 95));

        assertThat(few.count()).isEqualTo(ReportedCount.of(4));
        assertThat(few.medianMs()).isNull();
        assertThat(few.p90Ms()).isNull();
    }

    @Test
    void fiveOrMoreShowTheMedianAndP90InMilliseconds() {
        DeliveryHealth.TimeToDeliver enough = DeliveryHealth.TimeToDeliver.of(timed(0, 40, 100, 250, 4_000));

        assertThat(enough.count()).isEqualTo(ReportedCount.of(5));
        assertThat(enough.medianMs()).isBetween(99L, 101L);
        assertThat(enough.p90Ms()).as("of five, the fourth").isBetween(247L, 253L);
    }
}
