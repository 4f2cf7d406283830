package org.pathways.web.browser;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralReason;
import org.pathways.events.referral.ReferralReceived;
import org.pathways.events.referral.ReferralRejected;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.testing.SharedInfrastructure;

import tools.jackson.databind.json.JsonMapper;

/**
 * Not part of the suite (the name matches none of Surefire's test patterns): the time to first render of the
 * worker's home page and the coordinator's dashboard, in the real browser, on a demo-sized partnership and again with
 * {@code -Dreferrals=N} (default 10,000) more referrals in the progression-service. Run it alone:
 * {@code ./mvnw -B -q -o -pl web -am test -Dtest=FirstRenderBenchmark -Dsurefire.failIfNoSpecifiedTests=false};
 * the figures are printed and written to {@code web/target/first-render-benchmark.txt}.
 *
 * <p>The referrals reach the progression-service as they would in use: their events (opportunity published, learner
 * registered, referral submitted, received, accepted or rejected for want of a place or of eligibility) published
 * onto Kafka as CloudEvents, between the demo agencies (so the dashboard's labels resolve) and from referring
 * agencies of the run's own ({@code bench-<run>-ref-*}, so the wait can count exactly the run's referrals), submitted
 * over the last 28 days (the dashboard's default window). The measurement starts once the service has consumed every
 * one of them, so it measures the dashboard reading the service's aggregates and rendering — every figure of the
 * page, the partnership-wide reports included — not the replay. (Until issue 13 it wrote documents straight into the
 * old {@code referral-progress} collection, which nothing reads any more: it measured an empty dashboard.) For each
 * page: the median of 5 fresh navigations of the server's answer (request start to response end: the web app calling
 * the API), first contentful paint, and the load event (the dashboard's charts are drawn by then).
 */
class FirstRenderBenchmark extends BrowserTest {

    private static final int RUNS = 5;
    private static final int DEMO_SIZE = 22;
    private static final int REFERRING = 3;
    private static final int LEARNERS = 500;
    private static final String[] RECEIVING = {"agency-college", "agency-council", "agency-jobcentre"};
    private static final List<String> LOCALITIES = List.of("LS1", "LS2", "LS6");
    private static final List<OpportunityKind> KINDS = List.of(OpportunityKind.FORMAL_LEARNING,
            OpportunityKind.NON_FORMAL_LEARNING, OpportunityKind.EMPLOYMENT_SUPPORT);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void firstRenderOfTheWorkersHomeAndTheCoordinatorsDashboard() throws IOException {
        int many = Integer.getInteger("referrals", 10_000);
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-42s %10s %10s %10s %10s", "page", "referrals", "server ms",
                "FCP ms", "load ms"));
        PlatformApi api = new PlatformApi(platform);
        publish(api, DEMO_SIZE);
        measure(lines, DEMO_SIZE);
        long started = System.nanoTime();
        publish(api, many - DEMO_SIZE);
        lines.add(String.format(Locale.ROOT, "(%,d more referrals published and consumed in %.1f s)", many - DEMO_SIZE,
                (System.nanoTime() - started) / 1e9));
        measure(lines, many);
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

    /**
     * Publishes {@code n} referrals' lifecycles as events and waits until the progression-service has counted every
     * one received (the run's own referring agencies make the count exact).
     */
    private static void publish(PlatformApi api, int n) {
        String run = UUID.randomUUID().toString().substring(0, 6);
        LocalDate end = LocalDate.now(ZoneOffset.UTC);
        LocalDate start = end.minusDays(27);
        Instant opened = start.atStartOfDay().toInstant(ZoneOffset.UTC);
        SplittableRandom random = new SplittableRandom(n);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new ByteArraySerializer())) {
            List<String> opportunities = new ArrayList<>();
            for (int k = 0; k < KINDS.size(); k++) {
                String opportunity = "bench-" + run + "-opp-" + k;
                opportunities.add(opportunity);
                send(producer, new OpportunityPublished(opportunity, RECEIVING[k], KINDS.get(k), "L2", 100, 0,
                        opened));
            }
            for (int l = 0; l < LEARNERS; l++) {
                send(producer, new LearnerRegistered("bench-" + run + "-lrn-" + l, "bench-" + run + "-ref-0",
                        LOCALITIES.get(l % LOCALITIES.size()), opened));
            }
            for (int i = 0; i < n; i++) {
                Instant submittedAt = opened.plusSeconds(random.nextLong(28L * 24 * 3600 - 6 * 24 * 3600));
                int k = random.nextInt(KINDS.size());
                ReferralSubmitted submitted = new ReferralSubmitted("bench-" + run + "-referral-" + i,
                        "bench-" + run + "-lrn-" + random.nextInt(LEARNERS), opportunities.get(k),
                        "bench-" + run + "-ref-" + random.nextInt(REFERRING), RECEIVING[k], Urgency.ROUTINE,
                        submittedAt);
                send(producer, submitted);
                Instant received = submittedAt.plusSeconds(600 + random.nextLong(48 * 3600));
                send(producer, new ReferralReceived(submitted.referralId(), submitted.learnerId(),
                        submitted.opportunityId(), submitted.referringAgencyId(), submitted.receivingAgencyId(),
                        ReferralStatus.RECEIVED, null, submitted.receivingAgencyId(), received));
                Instant decided = received.plusSeconds(600 + random.nextLong(72 * 3600));
                send(producer, random.nextInt(10) < 7
                        ? new ReferralAccepted(submitted.referralId(), submitted.learnerId(), submitted.opportunityId(),
                        submitted.referringAgencyId(), submitted.receivingAgencyId(), ReferralStatus.ACCEPTED, null,
                        submitted.receivingAgencyId(), decided)
                        : new ReferralRejected(submitted.referralId(), submitted.learnerId(), submitted.opportunityId(),
                        submitted.referringAgencyId(), submitted.receivingAgencyId(), ReferralStatus.REJECTED,
                        random.nextBoolean() ? ReferralReason.NO_CAPACITY : ReferralReason.NOT_ELIGIBLE,
                        submitted.receivingAgencyId(), decided));
            }
            producer.flush();
        }
        String window = "from=" + start + "&to=" + end;
        await().atMost(Duration.ofHours(1)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            long received = 0;
            for (int r = 0; r < REFERRING; r++) {
                // a suppressed "<5" reads as 0 here: the wait goes on until every referral is counted
                received += api.get("coordinator", "/api/progression/funnel?" + window + "&referringAgencyId=bench-"
                        + run + "-ref-" + r).get("total").get("received").asLong(0);
            }
            return received == n;
        });
    }

    private static void send(KafkaProducer<String, byte[]> producer, PathwaysEvent event) {
        EventType type = EventType.of(event);
        CloudEvent cloudEvent = CloudEventBuilder.v1()
                .withId(UUID.randomUUID().toString())
                .withSource(URI.create("/pathways/benchmark"))
                .withType(type.type())
                .withSubject(event.subject())
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataSchema(type.dataschema())
                .withDataContentType("application/json")
                .withData(JSON.writeValueAsString(event).getBytes(StandardCharsets.UTF_8))
                .build();
        producer.send(new ProducerRecord<>(type.topic().topicName(), event.subject(),
                EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).serialize(cloudEvent)));
    }
}
