package org.pathways.progression.tally;

import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one fact (a referral, a milestone, a delivery, a learner) adds to one pre-aggregated bucket: the bucket is a
 * {@code family} of figures for one UTC {@code day} and one value of each cut ({@code dims}, in name order), and the fact
 * adds {@code counts} to it (field paths such as {@code submitted}, {@code rejectedBy.NO_CAPACITY} or a duration
 * sketch's bin {@code ack.i412}). The bucket's {@code _id} is deterministic: {@code family|day|value|value...}.
 */
public record Tally(String family, LocalDate day, Map<String, String> dims, Map<String, Long> counts) {

    /** The value a cut takes when it is not known (a learner's locality not yet seen, say). */
    public static final String UNKNOWN = "UNKNOWN";

    public Tally {
        Map<String, String> ordered = new TreeMap<>();
        dims.forEach((name, value) -> ordered.put(name, value == null ? UNKNOWN : value));
        dims = java.util.Collections.unmodifiableMap(ordered);
        counts = Map.copyOf(new TreeMap<>(counts));
    }

    public String id() {
        return family + "|" + day + "|" + String.join("|", dims.values());
    }

    /** Builds the counts of one tally. */
    public static final class Counts {
        private final Map<String, Long> counts = new TreeMap<>();

        public Counts add(String field) {
            return add(field, 1);
        }

        public Counts add(String field, long n) {
            if (n != 0) {
                counts.merge(field, n, Long::sum);
            }
            return this;
        }

        public Counts addIf(boolean condition, String field) {
            return condition ? add(field) : this;
        }

        public Map<String, Long> build() {
            return counts;
        }
    }
}
