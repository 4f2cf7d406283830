package org.pathways.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import io.micrometer.core.instrument.MeterRegistry;
import org.bson.Document;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.security.Role;
import org.pathways.testing.BacklogBaseline;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.TestTokens;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Prints, in one run on one broker and one store, every service running in this JVM behind the gateway:
 * <ol>
 *   <li>raw Kafka produce → consume, the outbox write → consume and the gateway's {@code 201} for a new referral →
 *   the signed webhook at the receiving agency's endpoint (a real HTTP server on loopback that verifies the
 *   signature), each as p50/p99 with its ratio to raw Kafka, at {@code benchmark.rate} per second;</li>
 *   <li>the same again with a failing, slow endpoint of another agency (the referring one) subscribed too;</li>
 *   <li>consumer throughput: {@code benchmark.backlog} referral events put on {@code pathways.referrals} by an outside
 *   producer, each consumer group's events per second and lag over time, with the data stored so far and again
 *   after {@code benchmark.stored} more records were added to every service's database.</li>
 * </ol>
 * Asserts nothing about speed. Run on demand only:
 * {@code ./mvnw -B -pl benchmarks -am test -Dbenchmark -Dtest=EventPathFigures -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class EventPathFigures {

    private static final int RATE = Integer.getInteger("benchmark.rate", 50);
    private static final int SECONDS = Integer.getInteger("benchmark.seconds", 10);
    /**
     * {@code -Dbenchmark.warmup-seconds=N}: before the first measured phase, referrals go through the gateway to the
     * college's endpoint at {@link #RATE} for N seconds, unmeasured, so that the phases measure JVMs whose hot code is
     * compiled (0, the default: the phases start right after the services did, as on a fresh devstack).
     */
    private static final int WARMUP_SECONDS = Integer.getInteger("benchmark.warmup-seconds", 0);
    private static final int BACKLOG = Integer.getInteger("benchmark.backlog", 4_000);
    private static final int STORED = Integer.getInteger("benchmark.stored", 100_000);
    /** {@code -Dbenchmark.throughput=false} prints the latency phases only. */
    private static final boolean THROUGHPUT = Boolean.parseBoolean(System.getProperty("benchmark.throughput", "true"));
    /** {@code -Dbenchmark.spans=true}: the services export their spans, and each handoff phase prints its split. */
    private static final boolean SPANS = Boolean.getBoolean("benchmark.spans");
    private static final Duration THROUGHPUT_TIMEOUT = Duration.ofSeconds(Integer.getInteger("benchmark.drain-seconds", 90));

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    private static final String COUNCIL = "agency-bench-council";
    private static final String COLLEGE = "agency-bench-college";
    private static final String SUBMITTED = "org.pathways.referral.submitted.v1";

    private final StringBuilder report = new StringBuilder();
    /** The services, for their own timers of what the benchmark asks of them. */
    private BenchmarkPlatform services;

    @Test
    void printFigures() throws Exception {
        SharedInfrastructure.kafkaBootstrapServers();
        try (SpanBreakdown spans = new SpanBreakdown();
             BenchmarkPlatform platform = new BenchmarkPlatform(SPANS ? spans.endpoint() : null);
             AgencyEndpoint college = AgencyEndpoint.healthy();
             AgencyEndpoint failing = AgencyEndpoint.failingSlowly(Duration.ofSeconds(1))) {
            int gateway = platform.gatewayPort;
            services = platform;
            String secret = created(call(gateway, "POST", "/api/subscriptions", TestTokens.worker(COLLEGE),
                    "{\"url\":\"%s\",\"eventTypes\":[\"%s\"]}".formatted(college.url(), SUBMITTED)))
                    .get("secret").asString();
            college.verifyWith(secret);
            Referrals referrals = Referrals.prepare(gateway, 2 * RATE * SECONDS + RATE + RATE * WARMUP_SECONDS);

            if (WARMUP_SECONDS > 0) {
                long warming = System.nanoTime();
                handoffs(gateway, referrals, college, WARMUP_SECONDS);
                drain("pathways.referrals");
                line("Warmed up: %d referrals through the gateway in %d s, unmeasured (%.0f s with the handoffs'"
                        + " arrival)", RATE * WARMUP_SECONDS, WARMUP_SECONDS, (System.nanoTime() - warming) / 1e9);
            }
            line("JVM: %s", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .anyMatch(argument -> argument.equals("-XX:TieredStopAtLevel=1"))
                    ? "C1 only (-XX:TieredStopAtLevel=1), as the devstack runs each service"
                    : "tiered compilation with C2 (the JVM's default; the devstack runs its services C1 only)");
            line("Event path, %d/s for %d s per path (%s)", RATE, SECONDS, Instant.now());
            Latencies raw = rawKafka();
            Latencies outbox = outboxPath(platform.services.get("referral-service").getBean(Outbox.class));
            drain("pathways.learners");
            spans.clear();
            StoreTimes.reset();
            Latencies[] handoff = handoffs(gateway, referrals, college, SECONDS);
            printPaths("all endpoints healthy", raw, outbox, handoff);
            printStoreTimes();
            printSpans(spans);

            String failingSecret = created(call(gateway, "POST", "/api/subscriptions", TestTokens.worker(COUNCIL),
                    "{\"url\":\"%s\",\"eventTypes\":[\"%s\"]}".formatted(failing.url(), SUBMITTED)))
                    .get("secret").asString();
            failing.verifyWith(failingSecret);
            Latencies raw2 = rawKafka();
            Latencies outbox2 = outboxPath(platform.services.get("referral-service").getBean(Outbox.class));
            drain("pathways.learners");
            spans.clear();
            StoreTimes.reset();
            Latencies[] handoff2 = handoffs(gateway, referrals, college, SECONDS);
            printPaths("another agency's endpoint answers 500 after 1 s", raw2, outbox2, handoff2);
            printStoreTimes();
            printSpans(spans);
            line("  (the failing endpoint was called %d times)", failing.calls.get());

            if (!THROUGHPUT) {
                return;
            }
            try (MongoClient mongo = MongoClients.create(SharedInfrastructure.mongoUri())) {
                throughput(platform, mongo, referrals.opportunities);
                seed(mongo, STORED);
                throughput(platform, mongo, referrals.opportunities);
            }
        } finally {
            System.out.println("\n==== Pathways benchmark figures ====\n" + report + "====================================");
        }
    }

    // ---- paths -------------------------------------------------------------------------------------------------

    /** A plain producer (acks=all, linger.ms=0 like the platform's) and a plain consumer, on the same broker. */
    private Latencies rawKafka() throws Exception {
        String topic = "benchmark.raw";
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Latencies latencies = new Latencies();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new ByteArraySerializer());
             Arrivals arrivals = new Arrivals(topic, record -> {
                 Long sent = sentAt.remove(record.key());
                 if (sent != null) {
                     latencies.add(System.nanoTime() - sent);
                 }
             })) {
            producer.send(new ProducerRecord<>(topic, "warm-up", new byte[1])).get();
            byte[] kilobyte = "x".repeat(1024).getBytes(StandardCharsets.UTF_8);
            paced(SECONDS, i -> {
                String key = "raw-" + UUID.randomUUID();
                sentAt.put(key, System.nanoTime());
                producer.send(new ProducerRecord<>(topic, key, kilobyte));
            });
            awaitCount(latencies, RATE * SECONDS);
        }
        return latencies;
    }

    /** An aggregate saved with an event through the referral-service's outbox, until a plain consumer has it. */
    private Latencies outboxPath(Outbox outbox) throws Exception {
        Map<String, Long> writtenAt = new ConcurrentHashMap<>();
        Latencies latencies = new Latencies();
        try (Arrivals arrivals = new Arrivals("pathways.learners", record -> {
            Long written = writtenAt.remove(record.key());
            if (written != null) {
                latencies.add(System.nanoTime() - written);
            }
        })) {
            paced(SECONDS, i -> {
                String id = "lrn-bench-" + UUID.randomUUID();
                writtenAt.put(id, System.nanoTime());
                outbox.save(new BenchmarkAggregate(id), new LearnerRegistered(id, COUNCIL, "LS6", Instant.now()));
            });
            awaitCount(latencies, RATE * SECONDS);
        }
        return latencies;
    }

    /** The council refers learners to the college's courses through the gateway; the college's system verifies. */
    private Latencies[] handoffs(int gateway, Referrals referrals, AgencyEndpoint college, int seconds)
            throws Exception {
        Map<String, Long> answeredAt = new ConcurrentHashMap<>();
        Map<String, Long> onKafkaAt = new ConcurrentHashMap<>();
        Arrivals onKafka = new Arrivals("pathways.referrals", record -> onKafkaAt.putIfAbsent(record.key(),
                System.nanoTime()));
        Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();
        Latencies answering = new Latencies();
        io.micrometer.core.instrument.Timer servedAtStart = submissions();
        long servedBefore = servedAtStart == null ? 0 : servedAtStart.count();
        double servedMsBefore = servedAtStart == null ? 0 : servedAtStart.totalTime(TimeUnit.MILLISECONDS);
        // Fifty of the council's workers: the gateway limits each caller to 600 requests a minute.
        List<String> workers = java.util.stream.IntStream.range(0, 50).mapToObj(w -> TestTokens.token(
                "worker-" + w + "-" + COUNCIL, COUNCIL, Role.WORKER, Role.AGENCY_ADMIN)).toList();
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            paced(seconds, i -> {
                String[] pair = referrals.next();
                requests.execute(() -> {
                    try {
                        long sent = System.nanoTime();
                        HttpResponse<String> response = call(gateway, "POST", "/api/referrals",
                                workers.get(i % workers.size()), Referrals.body(pair));
                        long now = System.nanoTime();
                        if (response.statusCode() == 201) {
                            answering.add(now - sent);
                            answeredAt.put(JSON.readTree(response.body()).get("id").asString(), now);
                        } else {
                            // The status and the problem's type: a shed request (service-busy) is not a breaker's
                            // 503 (service-unavailable).
                            java.util.regex.Matcher type = java.util.regex.Pattern
                                    .compile("urn:pathways:problem:([a-z-]+)").matcher(response.body());
                            refused.computeIfAbsent(response.statusCode() + (type.find() ? " " + type.group(1) : ""),
                                    s -> new AtomicInteger()).incrementAndGet();
                        }
                    } catch (Exception e) {
                        refused.computeIfAbsent(e.getClass().getSimpleName(), s -> new AtomicInteger())
                                .incrementAndGet();
                    }
                });
            });
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && !college.arrivedAt.keySet().containsAll(answeredAt.keySet())) {
            Thread.sleep(50);
        }
        onKafka.close();
        Latencies[] split = split(answeredAt, onKafkaAt, college.arrivedAt);
        Latencies latencies = split[0];
        if (!refused.isEmpty() || latencies.size() < answeredAt.size()) {
            line("  handoffs: refused by the API (status=count) %s; %d of %d accepted never arrived", refused,
                    answeredAt.size() - latencies.size(), answeredAt.size());
        }
        if (college.badSignatures.get() > 0) {
            line("  %d webhooks failed signature verification", college.badSignatures.get());
        }
        io.micrometer.core.instrument.Timer served = submissions();
        if (served != null && answering.size() > 0) {
            long count = served.count() - servedBefore;
            line("  a 201 took %.1f / %.1f ms (p50 / p99) from the request to the answer through the gateway; the"
                    + " referral-service's own time for POST /api/referrals: mean %.1f ms over %d", answering.ms(0.50),
                    answering.ms(0.99), count == 0 ? 0 : (served.totalTime(TimeUnit.MILLISECONDS) - servedMsBefore)
                            / count, count);
        }
        return split;
    }

    /** The referral-service's own timer of {@code POST /api/referrals} (Spring's {@code http.server.requests}). */
    private io.micrometer.core.instrument.Timer submissions() {
        var context = services == null ? null : services.services.get("referral-service");
        if (context == null) {
            return null;
        }
        return context.getBean(io.micrometer.core.instrument.MeterRegistry.class).find("http.server.requests")
                .tag("method", "POST").tag("uri", "/api/referrals").timer();
    }

    private void printPaths(String situation, Latencies raw, Latencies outbox, Latencies[] handoffs) {
        Latencies handoff = handoffs[0];
        line("%n%s", situation);
        line("  %-34s %8s %8s %8s %10s %10s", "path", "n", "p50 ms", "p99 ms", "p50/raw", "p99/raw");
        for (var path : List.of(Map.entry("raw Kafka produce -> consume", raw),
                Map.entry("outbox write -> consume", outbox), Map.entry("gateway 201 -> signed webhook", handoff),
                Map.entry("  of which 201 -> on Kafka", handoffs[1]),
                Map.entry("  of which on Kafka -> webhook", handoffs[2]))) {
            Latencies l = path.getValue();
            line("  %-34s %8d %8.1f %8.1f %10.1f %10.1f", path.getKey(), l.size(), l.ms(0.50), l.ms(0.99),
                    l.ms(0.50) / raw.ms(0.50), l.ms(0.99) / raw.ms(0.99));
        }
        line("  goal: handoff p50 <= 15 ms, p99 <= 3 x raw p99 + 20 ms = %.1f ms", 3 * raw.ms(0.99) + 20);
    }

    /** With {@code -Dbenchmark.store-times=true}: the store commands that took the services the most time. */
    private void printStoreTimes() {
        if (BenchmarkPlatform.STORE_TIMES) {
            line("  store commands that took the most time (total, count, mean; database, command, collection, filter):");
            StoreTimes.top(20).forEach(entry -> line("    %s", entry));
            try (MongoClient mongo = MongoClients.create(SharedInfrastructure.mongoUri())) {
                Map<String, List<java.util.Set<String>>> indexes = new HashMap<>();
                line("  of all commands, those the embedded store answers by reading the whole collection:");
                StoreTimes.scans((database, collection) -> indexes.computeIfAbsent(database + "." + collection,
                        ignored -> {
                            List<java.util.Set<String>> keys = new ArrayList<>();
                            mongo.getDatabase(database).getCollection(collection).listIndexes()
                                    .forEach(index -> keys.add(((org.bson.Document) index.get("key")).keySet()));
                            return keys;
                        }), 15).forEach(entry -> line("    %s", entry));
            }
        }
    }

    private void printSpans(SpanBreakdown spans) throws InterruptedException {
        if (SPANS) {
            Thread.sleep(6_000);   // the exporters send in batches
            spans.print(this::line);
        }
    }

    // ---- throughput --------------------------------------------------------------------------------------------

    /** Puts {@link #BACKLOG} referral events on the topic at once and follows every consumer group until it is done. */
    private void throughput(BenchmarkPlatform platform, MongoClient mongo, List<String> opportunities)
            throws Exception {
        Map<String, Long> stored = new LinkedHashMap<>();
        BenchmarkPlatform.DATABASES.forEach((service, database) -> stored.put(service,
                BacklogBaseline.documents(mongo.getDatabase(database))));
        Map<String, Map<String, Double>> processedBefore = processed(platform);
        StoreTimes.reset();
        line("%nConsumers: %d referral events put on %s by an outside producer; documents stored per service: %s",
                BACKLOG, ConsumerBacklog.TOPIC, stored);
        ConsumerBacklog.run(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafkaBootstrapServers()), opportunities, BACKLOG, THROUGHPUT_TIMEOUT,
                text -> line("%s", text));
        Map<String, Map<String, Double>> processedNow = processed(platform);
        Map<String, Long> inboxes = new java.util.TreeMap<>();
        // Per handler, then the busiest handler's: the maxima of two moments may be two different handlers' (the
        // notification-service's learner events outnumber its referral events before the backlog), which made
        // a whole consumed backlog look 533 events short.
        processedNow.forEach((service, byHandler) -> inboxes.put(service, byHandler.entrySet().stream()
                .mapToLong(handler -> (long) (handler.getValue() - processedBefore.getOrDefault(service, Map.of())
                        .getOrDefault(handler.getKey(), 0.0)))
                .max().orElse(0)));
        line("  events each service's inbox finished meanwhile, from every topic it reads: %s", inboxes);
        printStoreTimes();
    }

    /**
     * How many events each service's inbox has finished so far ({@code pathways.inbox.events} with outcome
     * {@code processed}: each event once, when its handler is done with it), by service and handler. Repeats skipped as duplicates are left out: the backlog's events all have
     * new ids, so a duplicate is a redelivery (after a rebalance), and counting it would count an event twice.
     */
    private static Map<String, Map<String, Double>> processed(BenchmarkPlatform platform) {
        Map<String, Map<String, Double>> counts = new java.util.TreeMap<>();
        platform.services.forEach((service, context) -> {
            Map<String, Double> byHandler = new HashMap<>();
            for (MeterRegistry meters : context.getBeansOfType(MeterRegistry.class).values()) {
                Map<String, Double> here = new HashMap<>();
                meters.find("pathways.inbox.events").tag("outcome", "processed").counters().forEach(counter -> here
                        .merge(counter.getId().getTag("handler"), counter.count(), Double::sum));
                here.forEach((handler, count) -> byHandler.merge(handler, count, Math::max));
            }
            counts.put(service, byHandler);
        });
        return counts;
    }

    /**
     * Waits (at most a minute) until every service's consumer group has committed everything on {@code topic}: the
     * outbox phase's events are otherwise still being consumed by every service while the handoff phase runs.
     */
    private void drain(String topic) throws Exception {
        try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafkaBootstrapServers()))) {
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            var latest = new java.util.HashMap<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec>();
            partitions.forEach(partition -> latest.put(partition, org.apache.kafka.clients.admin.OffsetSpec.latest()));
            long end = admin.listOffsets(latest).all().get().values().stream()
                    .mapToLong(org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
            long started = System.nanoTime();
            long deadline = started + Duration.ofMinutes(1).toNanos();
            Map<String, Long> committed = ConsumerBacklog.committed(admin, topic);
            while (System.nanoTime() < deadline && committed.values().stream().anyMatch(sum -> sum < end)) {
                Thread.sleep(200);
                committed = ConsumerBacklog.committed(admin, topic);
            }
            line("  (drained %s in %.1f s%s)", topic, (System.nanoTime() - started) / 1e9,
                    committed.values().stream().allMatch(sum -> sum >= end) ? "" : "; still behind: " + committed);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** Runs {@code action} {@link #RATE} times a second for {@code seconds} seconds, evenly spaced. */
    private static void paced(int seconds, java.util.function.IntConsumer action) throws InterruptedException {
        paced(RATE, seconds, action);
    }

    /** Runs {@code action} {@code rate} times a second for {@code seconds} seconds, evenly spaced. */
    static void paced(int rate, int seconds, java.util.function.IntConsumer action) throws InterruptedException {
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger sent = new AtomicInteger();
        int total = rate * seconds;
        pacer.scheduleAtFixedRate(() -> {
            int i = sent.getAndIncrement();
            if (i < total) {
                try {
                    action.accept(i);
                } catch (RuntimeException e) {
                    System.err.println("benchmark action failed: " + e);
                }
            }
        }, 0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
        while (sent.get() < total) {
            Thread.sleep(20);
        }
        pacer.shutdown();
        pacer.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static void awaitCount(Latencies latencies, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (latencies.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private void line(String format, Object... args) {
        String text = format.formatted(args);
        System.out.println(text);
        report.append(text.replace("%n", "\n")).append('\n');
    }

    /**
     * Each handoff from the {@code 201} to the webhook's arrival, and its two halves: {@code 201} to on Kafka, on Kafka
     * to the webhook; by referral id, in nanoseconds. A referral that never arrived (or was not seen on Kafka) is left
     * out of what it lacks.
     */
    static Latencies[] split(Map<String, Long> answeredAt, Map<String, Long> onKafkaAt, Map<String, Long> arrivedAt) {
        Latencies handoff = new Latencies();
        Latencies relayed = new Latencies();
        Latencies dispatched = new Latencies();
        answeredAt.forEach((referralId, answered) -> {
            Long arrived = arrivedAt.get(referralId);
            Long published = onKafkaAt.get(referralId);
            if (arrived != null) {
                handoff.add(Math.max(0, arrived - answered));
            }
            if (published != null) {
                relayed.add(Math.max(0, published - answered));
                if (arrived != null) {
                    dispatched.add(Math.max(0, arrived - published));
                }
            }
        });
        return new Latencies[] {handoff, relayed, dispatched};
    }

    static HttpResponse<String> call(int port, String method, String path, String token, String body)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode created(HttpResponse<String> response) {
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Latencies in nanoseconds. */
    static final class Latencies {
        private final List<Long> nanos = Collections.synchronizedList(new ArrayList<>());

        void add(long value) {
            nanos.add(value);
        }

        int size() {
            return nanos.size();
        }

        double ms(double quantile) {
            List<Long> sorted = new ArrayList<>(nanos);
            if (sorted.isEmpty()) {
                return Double.NaN;
            }
            Collections.sort(sorted);
            return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(quantile * sorted.size()))) / 1e6;
        }
    }

    /** A plain consumer of a topic from its end, handing each record to a callback on its own thread. */
    static final class Arrivals implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Arrivals(String topic, java.util.function.Consumer<ConsumerRecord<String, byte[]>> onRecord) {
            this(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers()), topic,
                    onRecord);
        }

        /** On the broker {@code clients} (its address and credentials) names. */
        Arrivals(Map<String, Object> clients, String topic,
                 java.util.function.Consumer<ConsumerRecord<String, byte[]>> onRecord) {
            Map<String, Object> settings = new HashMap<>(clients);
            settings.put(ConsumerConfig.GROUP_ID_CONFIG, "benchmark-" + UUID.randomUUID());
            settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(),
                    new ByteArrayDeserializer());
            consumer.subscribe(List.of(topic));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            consumer.seekToEnd(consumer.assignment());
            consumer.assignment().forEach(consumer::position);
            thread = Thread.ofPlatform().name("benchmark-arrivals").start(() -> {
                try (consumer) {
                    while (running.get()) {
                        consumer.poll(Duration.ofMillis(100)).forEach(onRecord);
                    }
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    /** An agency's own system: a real HTTP endpoint on loopback that verifies each webhook's signature. */
    static final class AgencyEndpoint implements AutoCloseable {
        private final HttpServer server;
        private final Duration answerAfter;
        private final int status;
        private volatile Webhook verifier;
        final Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
        final AtomicInteger badSignatures = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();

        private AgencyEndpoint(int status, Duration answerAfter) throws IOException {
            this.status = status;
            this.answerAfter = answerAfter;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                long now = System.nanoTime();
                calls.incrementAndGet();
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                try {
                    Map<String, List<String>> headers = new HashMap<>();
                    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values));
                    verifier.verify(body, headers);
                    arrivedAt.putIfAbsent(JSON.readTree(body).get("subject").asString(), now);
                } catch (Exception e) {
                    badSignatures.incrementAndGet();
                }
                try {
                    Thread.sleep(this.answerAfter);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(this.status, -1);
                exchange.close();
            });
            server.start();
        }

        static AgencyEndpoint healthy() throws IOException {
            return new AgencyEndpoint(204, Duration.ZERO);
        }

        static AgencyEndpoint failingSlowly(Duration after) throws IOException {
            return new AgencyEndpoint(500, after);
        }

        void verifyWith(String secret) throws Exception {
            verifier = new Webhook(secret);
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** Learners with consent to share with the college, and the college's published courses: one pair per referral. */
    static final class Referrals {
        final List<String> opportunities;
        private final List<String[]> pairs;
        private int next;

        private Referrals(List<String> learners, List<String> opportunities) {
            this.opportunities = opportunities;
            this.pairs = new ArrayList<>();
            for (String learner : learners) {
                for (String opportunity : opportunities) {
                    pairs.add(new String[] {learner, opportunity});
                }
            }
            Collections.shuffle(pairs, new Random(11));
        }

        synchronized String[] next() {
            return pairs.get(next++);
        }

        static String body(String[] pair) {
            return "{\"learnerId\":\"%s\",\"opportunityId\":\"%s\",\"need\":\"benchmark\",\"urgency\":\"SOON\"}"
                    .formatted(pair[0], pair[1]);
        }

        /** Registers enough learners and courses for {@code referrals}, and waits until the referral-service knows them. */
        static Referrals prepare(int gateway, int referrals) throws Exception {
            return prepare(gateway, referrals, TestTokens.worker(COUNCIL), TestTokens.worker(COLLEGE), COLLEGE, 3);
        }

        /**
         * As {@link #prepare(int, int)}, with the referring and the receiving agency's tokens given, and the seed of
         * the learners' made-up names (another seed on a platform that has the names of an earlier run: the same
         * name and date of birth again would be refused as a possible duplicate).
         */
        static Referrals prepare(int gateway, int referrals, String council, String college, String collegeId,
                                 long seed) throws Exception {
            int side = (int) Math.ceil(Math.sqrt(referrals * 1.2)) + 2;
            Random random = new Random(seed);
            List<String> learners = new ArrayList<>();
            for (int i = 0; i < side; i++) {
                String learner = created(call(gateway, "POST", "/api/learners", council, """
                        {"givenName":"%s","familyName":"%s","dateOfBirth":"19%02d-0%d-1%d","localityCode":"LS6",
                         "preferredLanguage":"en"}""".formatted(name(random), name(random), 50 + random.nextInt(49),
                        1 + random.nextInt(9), random.nextInt(9)))).get("id").asString();
                created(call(gateway, "POST", "/api/learners/" + learner + "/consents", council,
                        "{\"agencyId\":\"%s\",\"purpose\":\"REFERRAL_SHARING\",\"method\":\"VERBAL\"}"
                                .formatted(collegeId)));
                learners.add(learner);
            }
            List<String> opportunities = new ArrayList<>();
            for (int i = 0; i < side; i++) {
                String opportunity = created(call(gateway, "POST", "/api/opportunities", college, """
                        {"title":"Benchmark course %d","description":"Mornings","kind":"FORMAL_LEARNING","level":"E2",
                         "capacity":10000}""".formatted(i))).get("id").asString();
                created(call(gateway, "POST", "/api/opportunities/" + opportunity + "/publish", college, null));
                opportunities.add(opportunity);
            }
            // The referral-service learns consents and courses from events: the last of each must have arrived.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String probe = body(new String[] {learners.getLast(), opportunities.getLast()});
            while (call(gateway, "POST", "/api/referrals", council, probe).statusCode() != 201) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The referral-service never learnt the benchmark's learners");
                }
                Thread.sleep(200);
            }
            Referrals prepared = new Referrals(learners, opportunities);
            prepared.pairs.removeIf(pair -> pair[0].equals(learners.getLast()) && pair[1].equals(opportunities.getLast()));
            return prepared;
        }

        private static String name(Random random) {
            StringBuilder name = new StringBuilder().append((char) ('A' + random.nextInt(26)));
            for (int i = 0; i < 7; i++) {
                name.append((char) ('a' + random.nextInt(26)));
            }
            return name.toString();
        }
    }

    /** A stand-in aggregate with an outbox, saved by the benchmark through the referral-service's outbox. */
    @org.springframework.data.mongodb.core.mapping.Document("benchmark-aggregates")
    static class BenchmarkAggregate {
        @Id
        String id;
        @Version
        Long version;

        BenchmarkAggregate() {
        }

        BenchmarkAggregate(String id) {
            this.id = id;
        }
    }

    /** Adds {@code total} documents of stored data to every service's database ({@link BacklogBaseline#seed}). */
    private void seed(MongoClient mongo, int total) {
        long started = System.nanoTime();
        for (String database : BenchmarkPlatform.DATABASES.values()) {
            BacklogBaseline.seed(mongo.getDatabase(database), total, Set.of("shedLock"));
        }
        line("%nSeeded %d more documents into each service's database in %.0f s", total,
                (System.nanoTime() - started) / 1e9);
    }
}
