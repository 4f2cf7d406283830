package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.Urgency;
import org.pathways.referral.sla.OverdueReferrals;
import org.pathways.testing.HttpApi;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/**
 * Not part of the suite (the name matches none of Surefire's test patterns): times the inbox queries over HTTP with
 * {@code -Dreferrals=N} referrals (default 100,000) in the store, and the SLA job's scan. Run it alone:
 * {@code ./mvnw -B -q -o -pl referral-service test -Dtest=InboxBenchmark -Dreferrals=100000}; the figures go to
 * {@code referral-service/target/inbox-benchmark.txt}.
 *
 * <p>The embedded store has no secondary indexes (it accepts non-unique ones and ignores them), so every query here is
 * a full scan: these are worst-case figures, growing with N. A real MongoDB answers the same queries from the
 * indexes {@link QueryIndexCoverageTest} checks, reading about one page of index entries.
 */
class InboxBenchmark extends ReferralServiceTest {

    @Autowired
    OverdueReferrals overdue;

    private static final int AGENCIES = 20;
    private static final int OPPORTUNITIES = 200;
    private static final int WORKERS = 50;
    private static final int RUNS = 5;

    @Test
    void inboxQueriesOverManyReferrals() throws IOException {
        int n = Integer.getInteger("referrals", 100_000);
        String run = UUID.randomUUID().toString().substring(0, 6);
        SplittableRandom random = new SplittableRandom(42);
        ReferralStatus[] statuses = ReferralStatus.values();
        Instant now = Instant.now();
        long started = System.nanoTime();
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant submittedAt = now.minus(Duration.ofMinutes(random.nextInt(365 * 24 * 60)));
            ReferralStatus status = statuses[random.nextInt(statuses.length)];
            batch.add(new Document("_id", "ref-bench-" + run + "-" + i).append("version", 1L)
                    .append("learnerId", "lrn-" + run + "-" + random.nextInt(n))
                    .append("opportunityId", "opp-" + run + "-" + random.nextInt(OPPORTUNITIES))
                    .append("referringAgencyId", "bench-" + run + "-ref-" + random.nextInt(AGENCIES))
                    .append("referringWorkerId", "worker-" + random.nextInt(WORKERS))
                    .append("receivingAgencyId", "bench-" + run + "-rcv-" + random.nextInt(AGENCIES))
                    .append("receivingWorkerId", status == ReferralStatus.SUBMITTED ? null
                            : "worker-" + random.nextInt(WORKERS))
                    .append("need", "Benchmark need " + i)
                    .append("urgency", Urgency.ROUTINE.name())
                    .append("status", status.name())
                    .append("submittedAt", Date.from(submittedAt))
                    // Due in the future: the SLA scan finds nothing to raise, but has to look at everything.
                    .append("acknowledgeBy", Date.from(now.plus(Duration.ofDays(2))))
                    .append("decideBy", Date.from(now.plus(Duration.ofDays(5))))
                    .append("breachesRaised", List.of()).append("history", List.of()).append("notes", List.of()));
            if (batch.size() == 5_000) {
                store.getCollection("referrals").insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            store.getCollection("referrals").insertMany(batch);
        }
        long insertMillis = (System.nanoTime() - started) / 1_000_000;

        String incoming = worker("bench-" + run + "-rcv-0");
        String outgoing = worker("bench-" + run + "-ref-0");
        String course = "opp-" + run + "-7";
        Instant month = now.minus(Duration.ofDays(30));
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("incoming, newest first", "direction=incoming");
        queries.put("incoming, status=SUBMITTED", "direction=incoming&status=SUBMITTED");
        queries.put("incoming, overdue=true", "direction=incoming&overdue=true");
        queries.put("incoming, one opportunity", "direction=incoming&opportunityId=" + course);
        queries.put("incoming, last 30 days", "direction=incoming&submittedFrom=" + month);
        queries.put("outgoing, newest first", "direction=outgoing");
        queries.put("outgoing, status=COMPLETED", "direction=outgoing&status=COMPLETED");
        Map<String, String> figures = new LinkedHashMap<>();
        for (Map.Entry<String, String> query : queries.entrySet()) {
            String token = query.getValue().startsWith("direction=incoming") ? incoming : outgoing;
            String path = "/api/referrals?limit=20&" + query.getValue();
            HttpApi.Response first = api().get(path, token);
            assertThat(first.status()).as(path + " " + first).isEqualTo(200);
            String cursor = first.body().get("next").isNull() ? null : first.text("next");
            figures.put(query.getKey(), median(() -> api().get(path, token)) + " ms");
            if (cursor != null) {
                figures.put(query.getKey() + ", page 2", median(() -> api().get(path + "&cursor=" + cursor, token))
                        + " ms");
            }
        }
        figures.put("SLA job scan (nothing due)", median(() -> {
            overdue.raiseOverdue();
            return null;
        }) + " ms");

        StringBuilder report = new StringBuilder("Inbox benchmark, embedded store (full scans, no secondary indexes)\n")
                .append("referrals: ").append(n).append(", inserted in ").append(insertMillis).append(" ms\n")
                .append("median of ").append(RUNS).append(" runs over HTTP, page of 20:\n");
        figures.forEach((name, figure) -> report.append(String.format("  %-42s %s%n", name, figure)));
        System.out.println(report);
        Files.writeString(Path.of("target", "inbox-benchmark.txt"), report);

        store.remove(Query.query(Criteria.where("_id").regex("^ref-bench-" + run + "-")), "referrals");
    }

    private static long median(java.util.concurrent.Callable<?> call) {
        long[] millis = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long started = System.nanoTime();
            try {
                call.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            millis[i] = (System.nanoTime() - started) / 1_000_000;
        }
        Arrays.sort(millis);
        return millis[RUNS / 2];
    }
}
