package org.pathways.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pathways.testing.BacklogBaseline;

/**
 * Consumer throughput on a running devstack, as issue 14 sets its goal (every consumer ≥ 500 events/s on the
 * devstack): each service in its own JVM as the devstack runs it (C1 only, 256 MB, the serial collector), on the
 * devstack's broker (SASL, ACLs) and its embedded store (the H2 file backend, in the devstack's own JVM). A backlog
 * of referral events is put on {@code pathways.referrals} by an outside producer ({@link ConsumerBacklog}: with the
 * devstack's Kafka administrator, from {@code <data>/kafka/admin.properties}), to the catalogue's published
 * opportunities; each consumer group's events per second and lag over time are printed, with the data stored as it
 * is, then again after {@code benchmark.stored} more documents were added to every service's database. Start the
 * devstack first with its demo data ({@code deploy/devstack/run --demo}; a fresh data directory for figures that
 * compare), then:
 * {@code ./mvnw -B -pl benchmarks -am test -Dbenchmark -Dtest=DevstackConsumerFigures
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dbenchmark.devstack-data=DIR} for another data directory).
 * Skipped when no devstack is running. Asserts nothing about speed.
 */
@Tag("benchmark")
class DevstackConsumerFigures {

    private static final int BACKLOG = Integer.getInteger("benchmark.backlog", 4_000);
    private static final int STORED = Integer.getInteger("benchmark.stored", 10_000);
    private static final Duration TIMEOUT = Duration.ofSeconds(Integer.getInteger("benchmark.drain-seconds", 120));
    private static final String MONGO_URI = System.getProperty("benchmark.mongo-uri", "mongodb://localhost:27017");
    private static final Map<String, String> DATABASES = BenchmarkPlatform.DATABASES;

    private final StringBuilder report = new StringBuilder();

    @Test
    void printFigures() throws Exception {
        RunningDevstack devstack = RunningDevstack.assumeRunning(9092, 27017);
        Map<String, Object> clients = devstack.kafkaClients();
        try (MongoClient mongo = MongoClients.create(MONGO_URI)) {
            List<String> opportunities = new ArrayList<>();
            mongo.getDatabase(DATABASES.get("opportunity-catalogue-service")).getCollection("opportunities")
                    .find(Filters.in("status", "PUBLISHED", "FULL")).projection(Projections.include("_id")).limit(200)
                    .forEach(document -> opportunities.add(document.get("_id").toString()));
            Assumptions.assumeFalse(opportunities.isEmpty(),
                    "the devstack's catalogue has no published opportunity: start it with --demo");
            line("Devstack consumers (%s): %d referral events to %d published opportunities", Instant.now(), BACKLOG,
                    opportunities.size());
            round(devstack, mongo, clients, opportunities);
            long started = System.nanoTime();
            for (String database : DATABASES.values()) {
                BacklogBaseline.seed(mongo.getDatabase(database), STORED, Set.of("shedLock"));
            }
            line("%nSeeded %d more documents into each service's database in %.0f s", STORED,
                    (System.nanoTime() - started) / 1e9);
            round(devstack, mongo, clients, opportunities);
        } finally {
            System.out.println("\n==== Pathways devstack consumer figures ====\n" + report
                    + "============================================");
        }
    }

    private void round(RunningDevstack devstack, MongoClient mongo, Map<String, Object> clients,
                       List<String> opportunities) throws Exception {
        Map<String, Long> stored = new LinkedHashMap<>();
        DATABASES.forEach((service, database) -> stored.put(service,
                BacklogBaseline.documents(mongo.getDatabase(database))));
        line("%nConsumers: %d referral events put on %s by an outside producer; documents stored per service: %s",
                BACKLOG, ConsumerBacklog.TOPIC, stored);
        Map<String, RunningDevstack.Collections> collected = devstack.collectionsByProcess();
        Map<String, Duration> before = devstack.cpuByProcess();
        Map<String, Long> commandsBefore = StoreCommandCounts.read();
        ConsumerBacklog.run(clients, opportunities, BACKLOG, TIMEOUT, text -> line("%s", text));
        Map<String, Long> commandsAfter = StoreCommandCounts.read();
        Map<String, Duration> used = RunningDevstack.used(before, devstack.cpuByProcess());
        collected = RunningDevstack.since(collected, devstack.collectionsByProcess());
        long total = used.values().stream().mapToLong(Duration::toMillis).sum();
        line("  CPU-s over the round: %.1f in all (%.2f ms per event consumed, 4 consumers);%s", total / 1e3,
                (double) total / (4.0 * BACKLOG), RunningDevstack.perProcess(used, 1_000));
        line("  garbage collection pauses over the round (jstat):%s", RunningDevstack.pauses(collected));
        line("  store commands over the round, per referral event put: %s",
                StoreCommandCounts.perReferral(commandsBefore, commandsAfter, BACKLOG, 12));
    }

    private void line(String format, Object... args) {
        String text = format.formatted(args);
        System.out.println(text);
        report.append(text).append('\n');
    }
}
