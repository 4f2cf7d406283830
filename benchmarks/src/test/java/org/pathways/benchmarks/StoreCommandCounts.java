package org.pathways.benchmarks;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.bson.Document;

/**
 * The commands a running devstack's store has answered, by database, command and collection (the store counts them
 * and answers {@code pathwaysCommandCounts}), and what a phase added per referral: how many round trips to the store
 * one referral costs the whole platform, and which, without the noise of a shared machine's CPU figures.
 */
final class StoreCommandCounts {

    private static final String URI = System.getProperty("benchmark.mongo-uri", "mongodb://localhost:27017");

    private StoreCommandCounts() {
    }

    /** "database command collection" -> how many so far; empty if the store does not count (an older devstack). */
    static Map<String, Long> read() {
        try (MongoClient client = MongoClients.create(URI)) {
            Document answer = client.getDatabase("admin").runCommand(new Document("pathwaysCommandCounts", 1));
            Map<String, Long> counts = new HashMap<>();
            for (Document count : answer.getList("counts", Document.class)) {
                counts.put(count.getString("database") + " " + count.getString("command") + " "
                        + count.getString("collection"), count.getLong("count"));
            }
            return counts;
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    /**
     * The commands added between {@code before} and {@code after}, per referral: in all, by database, and the
     * {@code top} most frequent.
     */
    static String perReferral(Map<String, Long> before, Map<String, Long> after, int referrals, int top) {
        if (after.isEmpty()) {
            return "not counted (a devstack without the store's command counts)";
        }
        Map<String, Long> added = new HashMap<>();
        after.forEach((key, count) -> {
            long delta = count - before.getOrDefault(key, 0L);
            if (delta > 0) {
                added.put(key, delta);
            }
        });
        double per = Math.max(1, referrals);
        Map<String, Long> byDatabase = new TreeMap<>();
        added.forEach((key, count) -> byDatabase.merge(key.substring(0, key.indexOf(' ')), count, Long::sum));
        long total = added.values().stream().mapToLong(Long::longValue).sum();
        return "%.1f per referral (%s); most: %s".formatted(total / per,
                byDatabase.entrySet().stream().map(e -> "%s %.1f".formatted(e.getKey(), e.getValue() / per))
                        .collect(Collectors.joining(", ")),
                added.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                        .map(e -> "%s %.2f".formatted(e.getKey(), e.getValue() / per))
                        .collect(Collectors.joining(", ")));
    }
}
