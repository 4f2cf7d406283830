package org.pathways.web.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.pathways.testing.SharedInfrastructure;

/**
 * Not part of the suite (the name matches none of Surefire's test patterns): the time to first render of the
 * worker's home page and the coordinator's dashboard, in the real browser, on a demo-sized partnership and again with
 * {@code -Dreferrals=N} (default 100,000) referrals in the progression-service's projection. Run it alone:
 * {@code ./mvnw -B -q -o -pl web -am test -Dtest=FirstRenderBenchmark -Dsurefire.failIfNoSpecifiedTests=false};
 * the figures are printed and written to {@code web/target/first-render-benchmark.txt}.
 *
 * <p>The projection's documents are written straight into its collection (as the events would leave them: both
 * agencies, stage, first times, reasons), submitted over the last 28 days (the dashboard's default window), so that
 * the figures measure reading and rendering, not replaying 100,000 referrals' events through Kafka. For each page:
 * the median of 5 fresh navigations of the server's answer (request start to response end: the web app calling the
 * API), first contentful paint, and the load event (the dashboard's charts are drawn by then).
 */
class FirstRenderBenchmark extends BrowserTest {

    private static final int RUNS = 5;
    private static final int DEMO_SIZE = 22;
    private static final String[] AGENCIES = {"agency-college", "agency-council", "agency-jobcentre"};

    @Test
    void firstRenderOfTheWorkersHomeAndTheCoordinatorsDashboard() throws IOException {
        int many = Integer.getInteger("referrals", 100_000);
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-42s %10s %10s %10s %10s", "page", "referrals", "server ms",
                "FCP ms", "load ms"));
        try (MongoClient mongo = MongoClients.create(SharedInfrastructure.mongoUri())) {
            MongoCollection<Document> progress = mongo.getDatabase("progression").getCollection("referral-progress");
            insert(progress, DEMO_SIZE);
            measure(lines, DEMO_SIZE);
            long started = System.nanoTime();
            insert(progress, many - DEMO_SIZE);
            lines.add(String.format(Locale.ROOT, "(inserted %,d more projection documents in %.1f s)", many - DEMO_SIZE,
                    (System.nanoTime() - started) / 1e9));
            measure(lines, many);
        }
        String report = String.join("\n", lines) + "\n";
        System.out.println("\nFirst render (median of " + RUNS + "):\n" + report);
        Files.writeString(Path.of("target", "first-render-benchmark.txt"), report);
    }

    private static void measure(List<String> lines, int referrals) {
        signIn("council-worker");
        lines.add(timing("worker's home /", "/", referrals));
        signIn("coordinator");
        lines.add(timing("coordinator's dashboard /dashboard", "/dashboard", referrals));
    }

    @SuppressWarnings("unchecked")
    private static String timing(String name, String path, int referrals) {
        List<Double> server = new ArrayList<>();
        List<Double> paint = new ArrayList<>();
        List<Double> load = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            open(path);
            waitFor(By.tagName("h1"));
            Map<String, Object> t = (Map<String, Object>) browser.executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    const finish = () => {
                      const nav = performance.getEntriesByType('navigation')[0];
                      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                      done({server: nav.responseEnd - nav.requestStart, paint: fcp ? fcp.startTime : -1,
                            load: nav.loadEventEnd});
                    };
                    if (document.readyState === 'complete') { setTimeout(finish, 50); }
                    else { window.addEventListener('load', () => setTimeout(finish, 50)); }
                    """);
            server.add(((Number) t.get("server")).doubleValue());
            paint.add(((Number) t.get("paint")).doubleValue());
            load.add(((Number) t.get("load")).doubleValue());
        }
        return String.format(Locale.ROOT, "%-42s %,10d %10.0f %10.0f %10.0f", name, referrals, median(server),
                median(paint), median(load));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    /** Referrals as the projection holds them once their events were applied: a spread over stages and outcomes. */
    private static void insert(MongoCollection<Document> progress, int n) {
        String run = UUID.randomUUID().toString().substring(0, 6);
        SplittableRandom random = new SplittableRandom(7);
        Instant now = Instant.now();
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String from = AGENCIES[random.nextInt(AGENCIES.length)];
            String to = AGENCIES[(java.util.Arrays.asList(AGENCIES).indexOf(from) + 1 + random.nextInt(2))
                    % AGENCIES.length];
            Instant submitted = now.minus(Duration.ofMinutes(random.nextInt(27 * 24 * 60)));
            int stage = 1 + random.nextInt(5);
            Document referral = new Document("_id", "bench-" + run + "-" + i).append("referringAgencyId", from)
                    .append("receivingAgencyId", to).append("opportunityId", "opp-bench-" + random.nextInt(50))
                    .append("agencies", List.of(from, to)).append("stage", stage)
                    .append("cohortAt", Date.from(submitted)).append("submittedAt", Date.from(submitted))
                    .append("opportunityKind", "FORMAL_LEARNING");
            String[] times = {"receivedAt", "acceptedAt", "startedAt", "completedAt"};
            for (int s = 2; s <= stage; s++) {
                referral.append(times[s - 2], Date.from(submitted.plus(Duration.ofHours(s * 6L))));
            }
            if (stage == 2 && random.nextInt(3) == 0) {
                referral.append("rejectedAt", Date.from(submitted.plus(Duration.ofHours(20))))
                        .append("rejectedReason", "NO_CAPACITY");
            }
            batch.add(referral);
            if (batch.size() == 5_000) {
                progress.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            progress.insertMany(batch);
        }
    }
}
