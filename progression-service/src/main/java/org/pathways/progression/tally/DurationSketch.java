package org.pathways.progression.tally;

import java.util.Map;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;

/**
 * Durations kept as a DDSketch (relative accuracy {@value #RELATIVE_ACCURACY}): each duration falls in one
 * logarithmic bin, and a bucket stores only how many durations each bin holds ({@code $inc}, so bins from many buckets
 * merge by adding, and a fact that changes moves one duration out of one bin and into another). Quantiles are read
 * from the merged bins: within 1% of the true value, whatever the number of referrals.
 */
public final class DurationSketch {

    public static final double RELATIVE_ACCURACY = 0.01;
    private static final IndexMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);
    private static final String ZERO = "z";

    private final DDSketch sketch = new DDSketch(MAPPING, UnboundedSizeDenseStore::new);

    /** The bin (a field name) a duration of {@code seconds} is counted in. */
    public static String bin(long seconds) {
        return seconds <= 0 ? ZERO : "i" + MAPPING.index(seconds);
    }

    /** Adds a bucket's bins (bin → count). */
    public void add(Map<String, ?> bins) {
        if (bins == null) {
            return;
        }
        bins.forEach((bin, value) -> {
            long count = ((Number) value).longValue();
            if (count <= 0) {
                return;
            }
            if (ZERO.equals(bin)) {
                sketch.accept(0, count);
            } else {
                sketch.getPositiveValueStore().add(Integer.parseInt(bin.substring(1)), count);
            }
        });
    }

    public long count() {
        return Math.round(sketch.getCount());
    }

    /** The value at quantile {@code q} (0..1), in whole seconds; the sketch must not be empty. */
    public long quantile(double q) {
        return Math.round(sketch.getValueAtQuantile(q));
    }
}
