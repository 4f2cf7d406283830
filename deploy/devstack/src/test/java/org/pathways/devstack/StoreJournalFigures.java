package org.pathways.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.IntConsumer;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the store's journal ({@link WriteJournal}) costs: the store's CPU per write (its whole JVM: commands, journal,
 * page writes, garbage collection) and each write's round trip, with and without the journal, alternated in one run,
 * each in a fresh JVM of its own ({@link StoreProcess}) on a fresh file, through the real driver. Writes as the
 * services make them: single inserts by random id (inbox done-marks), updates by id, findAndModify of a few documents
 * (leases), bulk inserts, updates of 4 KB documents (a referral with its history). Run with
 * {@code ./mvnw -B -o -q -pl deploy/devstack test -Dbenchmark -Dtest=StoreJournalFigures
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dbenchmark.writes=N} per phase, {@code -Dbenchmark.runs=N} pairs);
 * the figures are printed in the test's output. Asserts nothing about speed.
 */
@Tag("benchmark")
@EnabledIfSystemProperty(named = "benchmark", matches = ".*")
class StoreJournalFigures {

    private static final int WRITES = Integer.getInteger("benchmark.writes", 5_000);
    private static final int RUNS = Integer.getInteger("benchmark.runs", 2);

    @TempDir
    Path dir;

    private final StringBuilder report = new StringBuilder();
    /** The measured phases of one store so far: its CPU and its writes (a phase may or may not hold a page write). */
    private Duration totalCpu = Duration.ZERO;
    private long totalWrites;

    @Test
    void printFigures() throws Exception {
        line("Store journal figures (%s): %d writes per phase; the store's CPU per write, µs (its JVM's whole CPU), "
                + "and the round trip, µs (mean)", Instant.now(), WRITES);
        line("%-30s %-14s %14s %14s", "phase", "store", "CPU/write", "round trip");
        try {
            for (int run = 0; run < RUNS; run++) {
                for (boolean journaled : new boolean[] {false, true}) {
                    measure(run, journaled);
                }
            }
        } finally {
            System.out.println("\n==== Pathways store journal figures ====\n" + report
                    + "========================================");
        }
    }

    /**
     * The journal alone, in this JVM: an entry appended and handed to the operating system, as for one write, and
     * this thread's CPU for it (the encoding, the checksum, the {@code write} call).
     */
    @Test
    void printTheJournalsOwnCost() throws Exception {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Path file = dir.resolve("own").resolve(EmbeddedMongoStore.FILE);
        Files.createDirectories(file.getParent());
        StringBuilder own = new StringBuilder();
        for (int size : new int[] {200, 4_000, 200, 4_000}) {
            de.bwaldvogel.mongo.bson.Document document = new de.bwaldvogel.mongo.bson.Document("_id",
                    UUID.randomUUID().toString()).append("consumer", "learner").append("status", "DONE")
                    .append("at", Instant.now()).append("text", "t".repeat(size - 100));
            try (WriteJournal journal = WriteJournal.start(file)) {
                long cpu = threads.getCurrentThreadCpuTime();
                long started = System.nanoTime();
                for (int i = 0; i < WRITES * 10; i++) {
                    journal.put("figures", "inbox", document);
                    journal.flush();
                }
                own.append(String.format("%-30s %14.2f %14.2f%n", "a document of about " + size + " B",
                        (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / (WRITES * 10),
                        (System.nanoTime() - started) / 1e3 / (WRITES * 10)));
            }
            WriteJournal.delete(file);
        }
        System.out.println("\n==== Pathways store journal, its own cost per write (µs CPU, µs elapsed) ====\n"
                + own + "========================================");
    }

    private void measure(int run, boolean journaled) throws Exception {
        Path file = Files.createDirectories(dir.resolve(run + "-" + journaled)).resolve(EmbeddedMongoStore.FILE);
        int port = BrokerClients.freePort();
        String label = journaled ? "journal" : "pages only";
        totalCpu = Duration.ZERO;
        totalWrites = 0;
        try (StoreProcess store = StoreProcess.start(file, port, journaled);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoDatabase database = client.getDatabase("figures");
            Random random = new Random(run);
            List<String> ids = new ArrayList<>();
            MongoCollection<Document> inbox = database.getCollection("inbox");
            MongoCollection<Document> leases = database.getCollection("leases");
            MongoCollection<Document> referrals = database.getCollection("referrals");
            String history = "h".repeat(4_000);
            for (int i = 0; i < 200; i++) {
                referrals.insertOne(new Document("_id", "ref-" + i).append("history", history).append("version", 0));
            }
            // Unmeasured: the JVM compiles the store's paths.
            phase(store, null, label, WRITES, i -> inbox.insertOne(new Document("_id", UUID.randomUUID().toString())
                    .append("consumer", "warm-up").append("at", new java.util.Date())));
            phase(store, "insert (random id)", label, WRITES, i -> {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                inbox.insertOne(new Document("_id", id).append("consumer", "learner")
                        .append("at", new java.util.Date()));
            });
            phase(store, "update by id", label, WRITES, i -> inbox.updateOne(
                    Filters.eq("_id", ids.get(random.nextInt(ids.size()))),
                    Updates.combine(Updates.set("status", "DONE-" + i), Updates.inc("attempts", 1))));
            phase(store, "findAndModify (lease)", label, WRITES, i -> leases.findOneAndUpdate(
                    Filters.eq("_id", "lease-" + i % 20),
                    Updates.combine(Updates.set("owner", "relay-" + i), Updates.inc("version", 1)),
                    new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER)));
            phase(store, "bulk insert (50 a batch)", label, WRITES / 50, i -> {
                List<Document> batch = new ArrayList<>();
                for (int d = 0; d < 50; d++) {
                    batch.add(new Document("_id", UUID.randomUUID().toString()).append("consumer", "bulk"));
                }
                inbox.insertMany(batch);
            }, 50);
            phase(store, "update of a 4 KB document", label, WRITES, i -> referrals.updateOne(
                    Filters.eq("_id", "ref-" + random.nextInt(200)),
                    Updates.combine(Updates.set("status", "S" + i), Updates.inc("version", 1))));
            line("%-30s %-14s %14.1f", "all of the above (run " + (run + 1) + ")", label,
                    totalCpu.toNanos() / 1e3 / totalWrites);
        }
    }

    private void phase(StoreProcess store, String name, String label, int operations, IntConsumer operation) {
        phase(store, name, label, operations, operation, 1);
    }

    private void phase(StoreProcess store, String name, String label, int operations, IntConsumer operation,
            int writesEach) {
        Duration cpuBefore = store.cpu();
        long started = System.nanoTime();
        for (int i = 0; i < operations; i++) {
            operation.accept(i);
        }
        long wall = System.nanoTime() - started;
        Duration cpu = store.cpu().minus(cpuBefore);
        if (name != null) {
            int writes = operations * writesEach;
            totalCpu = totalCpu.plus(cpu);
            totalWrites += writes;
            line("%-30s %-14s %14.1f %14.1f", name, label, cpu.toNanos() / 1e3 / writes, wall / 1e3 / operations);
        }
    }

    private void line(String format, Object... args) {
        report.append(String.format(format, args)).append('\n');
    }
}
