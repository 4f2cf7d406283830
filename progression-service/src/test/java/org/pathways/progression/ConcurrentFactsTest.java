package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Generations;
import org.pathways.progression.tally.Tally;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Exact totals under concurrency: two consumers (the referral and the learner bindings, or the live consumer and a
 * rebuild's catch-up) change the same thing's facts at once. Each change's bucket differences are applied exactly
 * once, so one thing is counted once, in the bucket its final facts say. (Before, a writer that found another's
 * pending differences applied them too, while their own writer was applying them: counted twice.)
 */
class ConcurrentFactsTest extends ProgressionServiceTest {

    @Autowired
    FactStore facts;
    @Autowired
    Generations generations;

    private final Generation generation = new Generation(8_000 + (System.nanoTime() & 0xfff));
    private final LocalDate today = LocalDate.now(ZoneOffset.UTC);

    @AfterEach
    void drop() {
        generations.drop(generation);
    }

    @Test
    void oneThingChangedByManyWritersAtOnceIsCountedOnceInTheBucketItsFinalFactsSay() throws Exception {
        String thing = unique("thing");
        int writers = 6;
        int changesEach = 15;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    for (int c = 0; c < changesEach; c++) {
                        String where = "w" + ((writer + c) % 4);
                        facts.change(generation, "race-facts", thing, f -> f.set("where", where),
                                f -> List.of(new Tally("race", today, Map.of("where", f.string("where")),
                                        Map.of("n", 1L))));
                    }
                }));
            }
            for (Future<?> writer : done) {
                writer.get();
            }
        } finally {
            pool.shutdownNow();
        }

        String finalWhere = facts.find(generation, "race-facts", thing).string("where");
        long total = 0;
        for (Document bucket : facts.buckets(generation, "race", today, today)) {
            long n = bucket.get("n") instanceof Number number ? number.longValue() : 0;
            total += n;
            String where = bucket.get("where", String.class);
            assertThat(n).as("the bucket of %s", where).isEqualTo(where.equals(finalWhere) ? 1 : 0);
        }
        assertThat(total).as("one thing, counted once").isEqualTo(1);
    }

    @Test
    void thingsChangedByBatchesAndSingleWritersAtOnceAreCountedOnceInTheBucketsTheirFinalFactsSay() throws Exception {
        // Batches write their facts at their end, under the versions they read: one that lost a race to another
        // writer applies its changes again on the facts as they now are (as the feed does with its events).
        List<String> things = List.of(unique("thing"), unique("thing"), unique("thing"));
        int writers = 4;
        int batchesEach = 10;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        java.util.concurrent.atomic.AtomicInteger conflicts = new java.util.concurrent.atomic.AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    for (int b = 0; b < batchesEach; b++) {
                        int round = b;
                        Runnable changes = () -> {
                            for (int t = 0; t < things.size(); t++) {
                                place(things.get(t), "w" + ((writer + round + t) % 4));
                            }
                        };
                        if (writer == 0) {
                            changes.run();  // one at a time, as a rebuild's replay writes
                            continue;
                        }
                        facts.beginBatch();
                        try {
                            changes.run();
                            while (!facts.completeBatch().isEmpty()) {
                                conflicts.incrementAndGet();
                                changes.run();
                            }
                        } finally {
                            facts.endBatch();
                        }
                    }
                }));
            }
            for (Future<?> writer : done) {
                writer.get();
            }
        } finally {
            pool.shutdownNow();
        }

        Map<String, Long> expected = new java.util.TreeMap<>();
        for (String thing : things) {
            expected.merge(facts.find(generation, "race-facts", thing).string("where"), 1L, Long::sum);
        }
        Map<String, Long> counted = new java.util.TreeMap<>();
        for (Document bucket : facts.buckets(generation, "race", today, today)) {
            long n = bucket.get("n") instanceof Number number ? number.longValue() : 0;
            if (n != 0) {
                counted.put(bucket.getString("where"), n);
            }
        }
        System.out.printf("Batches that lost a race and applied their changes again: %d%n", conflicts.get());
        assertThat(counted).as("each thing counted once, where its final facts say").isEqualTo(expected);
    }

    private void place(String thing, String where) {
        facts.change(generation, "race-facts", thing, f -> f.set("where", where),
                f -> List.of(new Tally("race", today, Map.of("where", f.string("where")), Map.of("n", 1L))));
    }
}
