package org.pathways.benchmarks;

import static org.pathways.benchmarks.EventPathFigures.call;
import static org.pathways.benchmarks.EventPathFigures.created;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pathways.benchmarks.EventPathFigures.AgencyEndpoint;
import org.pathways.benchmarks.EventPathFigures.Arrivals;
import org.pathways.benchmarks.EventPathFigures.Latencies;
import org.pathways.benchmarks.EventPathFigures.Referrals;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The handoff as issue 14 sets its goal, on a running devstack (each service in its own JVM, C1 only, the embedded
 * store in the devstack's JVM, Kafka with SASL): the council refers learners to the college's courses through the
 * gateway at {@code benchmark.rate} referrals a second (50), and the college's own system (a real HTTP endpoint here,
 * verifying each webhook's signature) times each one from the gateway's {@code 201} to the signed webhook's arrival.
 * In the same run, raw Kafka on the same broker (a plain producer, {@code acks=all}, {@code linger.ms=0}, and a plain
 * consumer, as the devstack's administrator). Then again with another agency's endpoint answering 500 after 1 s.
 * Prints p50/p99 of each and the goal (handoff p99 ≤ 3 × raw p99 + 20 ms, p50 ≤ 15 ms), the CPU and the store's
 * commands per referral. Start the devstack with its demo data first ({@code deploy/devstack/run --demo}), stop it
 * and start it again (the same command): the start that loads the demo runs the referral-service with a same-day
 * acknowledgement target checked every 30 s, which makes every referral of the run overdue at once, a burst of events
 * in a random phase (each phase prints how many); later starts run with the normal target. Then:
 * {@code ./mvnw -B -pl benchmarks test -Dbenchmark -Dtest=DevstackHandoffFigures
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dbenchmark.devstack-data=DIR} for another data directory).
 * Skipped when no devstack is running. Asserts nothing about speed.
 */
@Tag("benchmark")
class DevstackHandoffFigures {

    private static final int RATE = Integer.getInteger("benchmark.rate", 50);
    private static final int SECONDS = Integer.getInteger("benchmark.seconds", 10);
    /** The services run C1-compiled code only, and compile it as the traffic first reaches each path. */
    private static final int WARMUP_SECONDS = Integer.getInteger("benchmark.warmup-seconds", 30);
    private static final int GATEWAY = 8080;
    /** The notification-service's own port, for its metrics (a platform admin's token). */
    private static final int NOTIFICATION = 8084;
    private static final String DEFERRED = "pathways.webhooks.deferred";
    /** The referral-service's own port, for its metrics. */
    private static final int REFERRAL = 8083;
    private static final String OVERDUE = "pathways.referrals.overdue";
    private static final String SUBMITTED = "org.pathways.referral.submitted.v1";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final StringBuilder report = new StringBuilder();
    private RunningDevstack devstack;
    private String platformAdmin;
    /** The subscriptions this run made, by id: the token of the agency that made each. */
    private final Map<String, String> subscriptions = new java.util.LinkedHashMap<>();
    /** The measured endpoint's subscription (the college's system). */
    private String collegeSubscription;

    @Test
    void printFigures() throws Exception {
        RunningDevstack devstack = RunningDevstack.assumeRunning(GATEWAY, 9092);
        Map<String, Object> clients = devstack.kafkaClients();
        Map<String, String> tokens = devstack.demoTokens();
        // Two of the council's people refer, so that neither meets the gateway's limit per caller (600 a minute).
        List<String> council = List.of(tokens.get("COUNCIL_TOKEN"), token("council-worker"));
        String college = tokens.get("COLLEGE_TOKEN");
        platformAdmin = tokens.get("PLATFORM_ADMIN_TOKEN");
        try (AgencyEndpoint collegeSystem = AgencyEndpoint.healthy();
             AgencyEndpoint failing = AgencyEndpoint.failingSlowly(Duration.ofSeconds(1))) {
            collegeSystem.verifyWith(subscribe(college, collegeSystem));
            collegeSubscription = subscriptions.keySet().iterator().next();
            Referrals referrals = Referrals.prepare(GATEWAY, RATE * (2 * SECONDS + WARMUP_SECONDS) + RATE,
                    council.getFirst(), college, "agency-college", System.nanoTime());
            line("Devstack handoff (%s): %d referrals/s through the gateway for %d s per phase", Instant.now(), RATE,
                    SECONDS);
            this.devstack = devstack;
            handoffs(clients, council, referrals, collegeSystem, WARMUP_SECONDS);
            line("Warmed up: %d referrals, unmeasured", RATE * WARMUP_SECONDS);

            phase("all endpoints healthy", clients, council, referrals, collegeSystem);
            failing.verifyWith(subscribe(council.getFirst(), failing));
            phase("another agency's endpoint answers 500 after 1 s", clients, council, referrals, collegeSystem);
            line("  (the failing endpoint was called %d times)", failing.calls.get());
        } finally {
            unsubscribe();
            System.out.println("\n==== Pathways devstack handoff figures ====\n" + report
                    + "===========================================");
        }
    }

    private void phase(String situation, Map<String, Object> clients, List<String> council, Referrals referrals,
                       AgencyEndpoint collegeSystem) throws Exception {
        Latencies raw = rawKafka(clients);
        double deferredBefore = deferred();
        double collegeDeferredBefore = collegeDeferred();
        double overdueBefore = overdue();
        Map<String, Long> commandsBefore = StoreCommandCounts.read();
        Handoffs measured = handoffs(clients, council, referrals, collegeSystem, SECONDS);
        Map<String, Long> commandsAfter = StoreCommandCounts.read();
        double deferredInPhase = deferred() - deferredBefore;
        double collegeDeferredInPhase = collegeDeferred() - collegeDeferredBefore;
        double overdueInPhase = overdue() - overdueBefore;
        Latencies[] handoff = measured.latencies();
        double goal = 3 * raw.ms(0.99) + 20;
        line("%n%s:", situation);
        line("  %-44s p50 %7.1f ms  p99 %7.1f ms", "raw Kafka produce -> consume (same broker)", raw.ms(0.50),
                raw.ms(0.99));
        line("  %-44s p50 %7.1f ms  p99 %7.1f ms  (%d handoffs; p99 %.1f x raw)",
                "gateway 201 -> signed webhook at the college", handoff[0].ms(0.50), handoff[0].ms(0.99),
                handoff[0].size(), handoff[0].ms(0.99) / raw.ms(0.99));
        line("  %-44s p50 %7.1f ms  p99 %7.1f ms", "  of which 201 -> on Kafka (the outbox relay)", handoff[1].ms(0.50),
                handoff[1].ms(0.99));
        line("  %-44s p50 %7.1f ms  p99 %7.1f ms", "  and on Kafka -> webhook (consumer, dispatch)",
                handoff[2].ms(0.50), handoff[2].ms(0.99));
        line("  goal: p99 <= %.1f ms (3 x raw p99 + 20 ms), p50 <= 15 ms: %s", goal,
                handoff[0].ms(0.99) <= goal && handoff[0].ms(0.50) <= 15 ? "met" : "not met");
        cpuPerReferral(measured);
        line("  store commands over the phase: %s",
                StoreCommandCounts.perReferral(commandsBefore, commandsAfter, measured.accepted(), 40));
        line("  webhook deliveries put off (an endpoint's bulkhead full, its circuit open or on trial): %.0f, of which"
                + " %.0f to the measured endpoint (the others: the demo's dead endpoint, the failing one)",
                deferredInPhase, collegeDeferredInPhase);
        line("  referrals found overdue in the phase: %.0f%s", overdueInPhase, overdueInPhase > 0
                ? " (the demo's same-day target on a devstack's first start: its events are in this phase's figures;"
                + " a second start runs with the normal target)" : "");
    }

    /**
     * How many webhook deliveries the notification-service has put off so far (all subscriptions), from its metrics;
     * NaN when they cannot be read.
     */
    private double deferred() {
        return counted(NOTIFICATION, DEFERRED);
    }

    /** The same for the measured endpoint's subscription alone. */
    private double collegeDeferred() {
        return counted(NOTIFICATION, DEFERRED + "?tag=subscription:" + collegeSubscription);
    }

    /**
     * How many referrals the referral-service has found overdue so far (its SLA check). With the demo's same-day
     * target, every referral of the run nobody answered becomes overdue at the next check (every 30 s), and that burst
     * of events lands in whichever phase it falls in.
     */
    private double overdue() {
        return counted(REFERRAL, OVERDUE);
    }

    /** A counter of a service's own metrics (all its tags together); 0 before its first count, NaN if unreadable. */
    private double counted(int port, String meter) {
        try {
            HttpResponse<String> response = call(port, "GET", "/actuator/metrics/" + meter, platformAdmin, null);
            if (response.statusCode() == 404) {
                return 0;     // none yet: the counter is made at the first
            }
            for (JsonNode measurement : JSON.readTree(response.body()).path("measurements")) {
                if ("COUNT".equals(measurement.path("statistic").asString())) {
                    return measurement.path("value").asDouble();
                }
            }
        } catch (Exception e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /**
     * The CPU each of the devstack's processes used from the phase's first request until its last webhook arrived,
     * per accepted referral (consumers that were still catching up with earlier phases count too).
     */
    private void cpuPerReferral(Handoffs measured) {
        int accepted = Math.max(1, measured.accepted());
        long total = measured.cpu().values().stream().mapToLong(Duration::toMillis).sum();
        line("  CPU per accepted referral, ms (%d accepted; all processes %.1f ms, %.2f cores over the phase's %.1f s):",
                measured.accepted(), (double) total / accepted, total / 1000.0 / measured.seconds(),
                measured.seconds());
        line("   %s", RunningDevstack.perProcess(measured.cpu(), accepted));
        line("  garbage collection pauses over the phase (jstat):%s", RunningDevstack.pauses(measured.collections()));
    }

    /**
     * A phase's handoffs (gateway {@code 201} -> webhook, 201 -> on Kafka, on Kafka -> webhook), and the CPU each of the
     * devstack's processes used over its {@code seconds}, for {@code accepted} referrals.
     */
    private record Handoffs(Latencies[] latencies, Map<String, Duration> cpu,
                            Map<String, RunningDevstack.Collections> collections, int accepted, double seconds) {
    }

    /** A plain producer (acks=all, linger.ms=0 like the platform's) and a plain consumer, on the devstack's broker. */
    private static Latencies rawKafka(Map<String, Object> clients) throws Exception {
        String topic = "benchmark.raw";
        // The devstack's broker creates no topic by itself: the administrator makes this one, as many partitions as
        // the platform's topics.
        try (AdminClient admin = AdminClient.create(clients)) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Latencies latencies = new Latencies();
        Map<String, Object> settings = new HashMap<>(clients);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings, new StringSerializer(),
                new ByteArraySerializer());
             Arrivals arrivals = new Arrivals(clients, topic, record -> {
                 Long sent = sentAt.remove(record.key());
                 if (sent != null) {
                     latencies.add(System.nanoTime() - sent);
                 }
             })) {
            producer.send(new ProducerRecord<>(topic, "warm-up", new byte[1])).get();
            byte[] kilobyte = "x".repeat(1024).getBytes(StandardCharsets.UTF_8);
            EventPathFigures.paced(RATE, SECONDS, i -> {
                String key = "raw-" + UUID.randomUUID();
                sentAt.put(key, System.nanoTime());
                producer.send(new ProducerRecord<>(topic, key, kilobyte));
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (latencies.size() < RATE * SECONDS && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        return latencies;
    }

    /**
     * Referrals through the gateway at {@link #RATE} for {@code seconds}: gateway {@code 201} -> webhook, 201 -> on
     * Kafka, on Kafka -> webhook.
     */
    private Handoffs handoffs(Map<String, Object> clients, List<String> council, Referrals referrals,
                              AgencyEndpoint collegeSystem, int seconds) throws Exception {
        Map<String, Long> answeredAt = new ConcurrentHashMap<>();
        Map<String, Long> onKafkaAt = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();
        Map<String, Duration> cpuUsed;
        Map<String, RunningDevstack.Collections> collections;
        double phaseSeconds;
        try (Arrivals onKafka = new Arrivals(clients, "pathways.referrals",
                record -> onKafkaAt.putIfAbsent(record.key(), System.nanoTime()));
             ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<String, RunningDevstack.Collections> collectionsBefore = devstack.collectionsByProcess();
            Map<String, Duration> cpuBefore = devstack.cpuByProcess();
            long phaseStart = System.nanoTime();
            EventPathFigures.paced(RATE, seconds, i -> {
                String[] pair = referrals.next();
                requests.execute(() -> {
                    try {
                        long sent = System.nanoTime();
                        HttpResponse<String> response = call(GATEWAY, "POST", "/api/referrals",
                                council.get(i % council.size()), Referrals.body(pair));
                        long now = System.nanoTime();
                        if (response.statusCode() == 201) {
                            answeredAt.put(JSON.readTree(response.body()).get("id").asString(), now);
                        } else {
                            refused.computeIfAbsent(String.valueOf(response.statusCode()), s -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                    } catch (Exception e) {
                        refused.computeIfAbsent(e.getClass().getSimpleName(), s -> new AtomicInteger())
                                .incrementAndGet();
                    }
                });
            });
            requests.close();    // every request answered
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !collegeSystem.arrivedAt.keySet().containsAll(answeredAt.keySet())) {
                Thread.sleep(50);
            }
            cpuUsed = RunningDevstack.used(cpuBefore, devstack.cpuByProcess());
            phaseSeconds = (System.nanoTime() - phaseStart) / 1e9;
            collections = RunningDevstack.since(collectionsBefore, devstack.collectionsByProcess());
        }
        Latencies[] split = EventPathFigures.split(answeredAt, onKafkaAt, collegeSystem.arrivedAt);
        Latencies handoff = split[0];
        if (!refused.isEmpty() || handoff.size() < answeredAt.size()) {
            line("  refused by the API (status=count) %s; %d of %d accepted never arrived", refused,
                    answeredAt.size() - handoff.size(), answeredAt.size());
        }
        if (collegeSystem.badSignatures.get() > 0) {
            line("  %d webhooks failed signature verification", collegeSystem.badSignatures.get());
        }
        return new Handoffs(split, cpuUsed, collections, answeredAt.size(), phaseSeconds);
    }

    /**
     * Subscribes {@code endpoint} to new referrals for the agency of {@code token}; its signing secret. The
     * subscription is removed at the end ({@link #unsubscribe}): on a devstack used for several runs, an earlier run's
     * endpoint, gone with its JVM, would otherwise be a failing endpoint in every later one.
     */
    private String subscribe(String token, AgencyEndpoint endpoint) throws Exception {
        var subscription = created(call(GATEWAY, "POST", "/api/subscriptions", token,
                "{\"url\":\"%s\",\"eventTypes\":[\"%s\"]}".formatted(endpoint.url(), SUBMITTED)));
        subscriptions.put(subscription.get("id").asString(), token);
        return subscription.get("secret").asString();
    }

    /** Removes the subscriptions this run made (their pending deliveries are cancelled). */
    private void unsubscribe() throws Exception {
        for (Map.Entry<String, String> made : subscriptions.entrySet()) {
            int status = call(GATEWAY, "DELETE", "/api/subscriptions/" + made.getKey(), made.getValue(), null)
                    .statusCode();
            if (status != 204) {
                line("  subscription %s not removed: %d", made.getKey(), status);
            }
        }
    }

    /** A demo person's token, from the devstack's own script (authorization code with PKCE, through curl). */
    private static String token(String principal) throws Exception {
        Process process = new ProcessBuilder("bash", "../deploy/devstack/token", principal).redirectErrorStream(false)
                .start();
        String token = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0 || token.isEmpty()) {
            throw new IllegalStateException("no token for " + principal + ": "
                    + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return token;
    }

    private void line(String format, Object... args) {
        String text = format.formatted(args);
        System.out.println(text);
        report.append(text).append('\n');
    }
}
