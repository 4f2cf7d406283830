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
 * of the blocks that tile any window holding that day, and none of those of a window without it.
 */
class DayTreeTest {

    @Test
    void aDayIsCountedOnceInEveryWindowThatHoldsItAndNeverInAnother() {
        SplittableRandom random = new SplittableRandom(13);
        LocalDate base = LocalDate.of(2026, 12, 3);
        for (int i = 0; i < 20_000; i++) {
            LocalDate day = base.plusDays(random.nextInt(-800, 800));
            LocalDate from = base.plusDays(random.nextInt(-800, 800));
            LocalDate to = from.plusDays(random.nextInt(-2, 400));
            Set<DayTree.Node> read = new HashSet<>(DayTree.window(from, to));
            long hits = DayTree.covering(day).stream().filter(read::contains).count();
            boolean inWindow = !day.isBefore(from) && !day.isAfter(to);
            assertThat(hits).as("%s counted in %s..%s", day, from, to).isEqualTo(inWindow ? 1 : 0);
        }
    }

    @Test
    void aChangeAddsToThreeBlocksAndAYearsWindowReadsAtMost33() {
        SplittableRandom random = new SplittableRandom(5);
        LocalDate base = LocalDate.of(2026, 12, 2);
        for (int i = 0; i < 5_000; i++) {
            LocalDate from = base.plusDays(random.nextInt(-400, 400));
            for (int days : List.of(1, 7, 28, 366)) {
                assertThat(DayTree.window(from, from.plusDays(days - 1))).hasSizeLessThanOrEqualTo(33);
            }
            assertThat(DayTree.covering(from)).hasSize(3);
        }
    }

    @Test
    void nodesWrittenBeforeTheBlocksStillAddUpToEveryDayFromTheirsOn() {
        SplittableRandom random = new SplittableRandom(13);
        LocalDate base = LocalDate.of(2026, 12, 3);
        for (int i = 0; i < 20_000; i++) {
            LocalDate day = base.plusDays(random.nextInt(-800, 800));
            LocalDate upTo = base.plusDays(random.nextInt(-800, 800));
            Set<LocalDate> read = new HashSet<>(DayTree.legacyUpTo(upTo));
            long hits = DayTree.legacyCovering(day).stream().filter(read::contains).count();
            assertThat(hits).as("%s counted up to %s", day, upTo).isEqualTo(day.isAfter(upTo) ? 0 : 1);
        }
    }
}
