package org.pathways.progression.tally;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * A window's running sums count a thing exactly when its day is in the window: what a day adds reaches exactly one
 * of the nodes read for "everything up to" any later day, and none of those for an earlier one.
 */
class DayTreeTest {

    @Test
    void aDayIsCountedOnceUpToEveryDayFromItOnAndNeverBefore() {
        SplittableRandom random = new SplittableRandom(13);
        LocalDate base = LocalDate.of(2026, 12, 3);
        for (int i = 0; i < 20_000; i++) {
            LocalDate day = base.plusDays(random.nextInt(-800, 800));
            LocalDate upTo = base.plusDays(random.nextInt(-800, 800));
            Set<LocalDate> read = new HashSet<>(DayTree.upTo(upTo));
            long hits = DayTree.covering(day).stream().filter(read::contains).count();
            assertThat(hits).as("%s counted up to %s", day, upTo).isEqualTo(day.isAfter(upTo) ? 0 : 1);
        }
    }

    @Test
    void aWindowReadsAtMostTwiceTheLevelsWhateverItsLength() {
        LocalDate to = LocalDate.of(2026, 12, 2);
        for (int days : List.of(1, 7, 28, 366)) {
            int nodes = DayTree.upTo(to).size() + DayTree.upTo(to.minusDays(days)).size();
            assertThat(nodes).isLessThanOrEqualTo(2 * DayTree.LEVELS);
        }
        assertThat(DayTree.covering(to)).hasSizeLessThanOrEqualTo(DayTree.LEVELS);
    }
}
