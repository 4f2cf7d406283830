package org.pathways.progression;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.function.Predicate;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.catalogue.EventSchemas;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPlacesChanged;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.testing.BacklogBaseline;
import org.pathways.testing.Backlog;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.StoreCommands;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.data.mongodb.core.MongoTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Not part of the suite (the name matches none of Surefire's test patterns): the progression-service's batch consumer
 * under a backlog as the benchmarks module's EventPathFigures puts it on the topics (issue 14, consumption
 * throughput): {@code -Dbacklog} referral events (half {@code submitted}, half {@code accepted}; learners the service
 * never heard of, 20 referring and 20 receiving agencies, a few dozen opportunities) from an outside producer, and one
 * {@code places-changed} per referral, as the catalogue publishes in reaction. The events go on the topics while the
 * binding is stopped ({@link Backlog}), so the consumer finds them all waiting; each round is timed from the binding's
 * start until the inbox has processed them all. Prints per round: how long a plain Kafka consumer takes to read the
 * same records (the baseline), events per second, store round trips per event (on the consumer's threads), the
 * consumer threads' CPU per event (the load-insensitive figure: the machine is shared) and the whole process's (the
 * embedded store and broker included). Between rounds, {@code -Dseed} more documents are added to the service's
 * database (copies of its own under new ids), for the cost per event against what is stored. Run it alone:
 *
 * <pre>
 * ./mvnw -B -o -pl progression-service -am test -Dtest=ProjectionThroughputBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * {@code -Dbacklog=4000}, {@code -Drounds=2}, {@code -Dseed=100000} and {@code -Dopportunities=40} change the sizes.
 */
@Import(ProjectionThroughputBenchmark.CommandTimes.class)
class ProjectionThroughputBenchmark extends ProgressionServiceTest {

    /**
     * The time the consumer threads' store commands took, by command and collection, as the driver sees it (round
     * trip: the store's work on them and the wire): where the store's share of an event goes.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class CommandTimes implements CommandListener {
        final Map<String, long[]> byCommand = new ConcurrentHashMap<>();

        @Bean
        MongoClientSettingsBuilderCustomizer timeStoreCommands() {
            return settings -> settings.addCommandListener(this);
        }

        @Override
        public void commandSucceeded(CommandSucceededEvent event) {
            if (CONSUMER.test(Thread.currentThread().getName())) {
                String key = event.getCommandName() + " " + collection.get();
                long[] sum = byCommand.computeIfAbsent(key, k -> new long[2]);
                synchronized (sum) {
                    sum[0]++;
                    sum[1] += event.getElapsedTime(TimeUnit.NANOSECONDS);
                }
            }
        }

        @Override
        public void commandStarted(CommandStartedEvent event) {
            var target = event.getCommand().get(event.getCommandName());
            collection.set(target != null && target.isString() ? target.asString().getValue() : "");
        }

        /** The collection of the command this thread sent last (the driver is synchronous). */
        private final ThreadLocal<String> collection = new ThreadLocal<>();

        Map<String, long[]> snapshot() {
            Map<String, long[]> copy = new TreeMap<>();
            byCommand.forEach((key, sum) -> {
                synchronized (sum) {
                    copy.put(key, sum.clone());
                }
            });
            return copy;
        }
    }

    private static final String BINDING = "partnershipEvents-in-0";
    private static final String HANDLER = "partnership-events";
    private static final int BACKLOG = Integer.getInteger("backlog", 4_000);
    private static final int ROUNDS = Integer.getInteger("rounds", 2);
    private static final int SEED = Integer.getInteger("seed", 100_000);
    private static final int OPPORTUNITIES = Integer.getInteger("opportunities", 40);
    private static final boolean PLACES = Boolean.parseBoolean(System.getProperty("places", "true"));
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The binding's consumer threads (their names carry the topics they consume). */
    private static final Predicate<String> CONSUMER = thread -> thread.contains("pathways.");
    /** The embedded store's threads (on the same cores: what the consumer's commands cost the store). */
    private static final Predicate<String> STORE = thread -> thread.startsWith("mongo-server-worker");

    @Autowired
    MongoTemplate mongo;
    @Autowired
    StoreCommands commands;
    @Autowired
    BindingsLifecycleController bindings;
    @Autowired
    MeterRegistry meters;
    @Autowired
    CommandTimes times;

    private final EventSchemas schemas = new EventSchemas();
    private final Set<EventType> checked = EnumSet.noneOf(EventType.class);
    private final String run = UUID.randomUUID().toString().substring(0, 6);
    private Counter processedCounter;

    @Test
    void aBacklogOfReferralAndPlacesEvents() throws Exception {
        List<String> opportunities = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            long before = processed();
            for (int i = 0; i < OPPORTUNITIES; i++) {
                String opportunity = "opp-tp-" + run + "-" + i;
                opportunities.add(opportunity);
                send(producer, new OpportunityPublished(opportunity, "agency-tp-" + (20 + i % 20),
                        OpportunityKind.values()[i % OpportunityKind.values().length], "L2", 100_000, 0,
                        Instant.now().minusSeconds(3600)));
            }
            producer.flush();
            awaitProcessed(before + OPPORTUNITIES, Duration.ofMinutes(2));
        }
        List<String> report = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            if (round > 1 && SEED > 0) {
                report.add(seed(SEED));
            }
            report.add(round(round, opportunities, new Random(round * 7L)));
        }
        System.out.printf("%nPROGRESSION CONSUMER THROUGHPUT (batch consumer, embedded Kafka and Mongo-wire store)%n");
        report.forEach(System.out::println);
        System.out.println("consumer threads: " + commands.byThread().keySet().stream().filter(CONSUMER).toList());
    }

    private String round(int round, List<String> opportunities, Random random) throws Exception {
        long documents = documents();
        Map<TopicPartition, Long> start = BacklogBaseline.endOffsets("pathways.referrals",
                "pathways.opportunities");
        long processedBefore = processed();
        int events = 0;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpuBefore = cpu(threads, CONSUMER);
        Map<Long, Long> storeBefore = cpu(threads, STORE);
        Map<Long, Long> allocatedBefore = consumerAllocation();
        long sent = commands.sentBy(CONSUMER);
        Map<String, Long> byCommand = commands.byCommand(CONSUMER);
        Map<String, long[]> timesBefore = times.snapshot();
        List<Future<?>> acks = new ArrayList<>();
        long[] begin = new long[3];
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        int[] count = new int[1];
        Backlog.publish(bindings, BINDING, () -> {
            try (KafkaProducer<String, byte[]> producer = producer()) {
                for (int i = 0; i < BACKLOG / 2; i++) {
                    String referral = "ref-tp-" + UUID.randomUUID();
                    String learner = "lrn-tp-" + random.nextInt(5_000);
                    int o = random.nextInt(opportunities.size());
                    String opportunity = opportunities.get(o);
                    String referring = "agency-tp-" + random.nextInt(20);
                    String receiving = "agency-tp-" + (20 + random.nextInt(20));
                    Instant now = Instant.now();
                    acks.add(send(producer, new ReferralSubmitted(referral, learner, opportunity, referring,
                            receiving, Urgency.SOON, now)));
                    acks.add(send(producer, new ReferralAccepted(referral, learner, opportunity, referring,
                            receiving, ReferralStatus.ACCEPTED, null, receiving, now)));
                    count[0] += 2;
                    if (PLACES) {
                        acks.add(send(producer, new OpportunityPlacesChanged(opportunity, "agency-tp-" + (20 + o % 20),
                                100_000, i + 1, false, "PUBLISHED", referral, now)));
                        count[0]++;
                    }
                }
                producer.flush();
                for (Future<?> ack : acks) {
                    ack.get();
                }
            }
            begin[0] = System.nanoTime();   // the binding starts right after this
            begin[1] = processCpu();
            begin[2] = gcMillis();
        });
        events = count[0];
        awaitProcessed(processedBefore + events, Duration.ofMinutes(15));
        long nanos = System.nanoTime() - begin[0];
        long processCpu = processCpu() - begin[1];
        long gc = gcMillis() - begin[2];
        long consumerCpu = since(cpuBefore, cpu(threads, CONSUMER));
        long storeCpu = since(storeBefore, cpu(threads, STORE));
        long allocated = 0;
        for (Map.Entry<Long, Long> thread : consumerAllocation().entrySet()) {
            allocated += thread.getValue() - allocatedBefore.getOrDefault(thread.getKey(), 0L);
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long rawNanos = BacklogBaseline.plainRead(start, events);
        long roundTrips = commands.sentBy(CONSUMER) - sent;
        Map<String, Long> commandsNow = new LinkedHashMap<>(commands.byCommand(CONSUMER));
        byCommand.forEach((command, n) -> commandsNow.merge(command, -n, Long::sum));
        commandsNow.values().removeIf(n -> n == 0);
        StringBuilder slowest = new StringBuilder();
        Map<String, long[]> timesNow = times.snapshot();
        timesNow.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), new long[] {
                        e.getValue()[0] - timesBefore.getOrDefault(e.getKey(), new long[2])[0],
                        e.getValue()[1] - timesBefore.getOrDefault(e.getKey(), new long[2])[1]}))
                .filter(e -> e.getValue()[0] > 0)
                .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(12)
                .forEach(e -> slowest.append(String.format(Locale.ROOT, "%n    %8.1f ms %5d x %7.2f ms  %s",
                        e.getValue()[1] / 1e6, e.getValue()[0], e.getValue()[1] / 1e6 / e.getValue()[0],
                        e.getKey())));
        return String.format(Locale.ROOT, "round %d: %,d events (%,d referral, %,d places) with %,d documents stored;"
                        + " a plain Kafka consumer read them in %.2f s (%.0f events/s); the consumer processed them in"
                        + " %.2f s: %.0f events/s (%.1f× the plain read); consumer threads' CPU %.3f ms/event"
                        + " (allocating %.1f kB/event), the store threads' %.3f ms/event, the process's %.3f ms/event"
                        + " (garbage collection %.3f ms/event);"
                        + " %,d store round trips, %.3f per event: %s; load average %.1f before, %.1f after;"
                        + "%n  the consumer threads' store commands that took the most time (total, count, mean):%s"
                        + "%n  the largest documents of the collections it wrote:%s",
                round, events, PLACES ? events * 2 / 3 : events, PLACES ? events / 3 : 0, documents, rawNanos / 1e9,
                events / (rawNanos / 1e9), nanos / 1e9, events / (nanos / 1e9), (double) nanos / rawNanos,
                consumerCpu / 1e6 / events, allocated / 1e3 / events, storeCpu / 1e6 / events,
                processCpu / 1e6 / events,
                gc / (double) events, roundTrips, roundTrips / (double) events,
                commandsNow, loadBefore, loadAfter, slowest, largest(commandsNow.keySet()));
    }

    /** The three largest documents (BSON bytes) of each collection {@code commands} wrote to, and how many it holds. */
    private String largest(Set<String> commands) {
        StringBuilder out = new StringBuilder();
        commands.stream().filter(c -> c.startsWith("update ") || c.startsWith("insert "))
                .map(c -> c.substring(c.indexOf(' ') + 1)).distinct().sorted().forEach(collection -> {
                    List<Integer> sizes = new ArrayList<>();
                    for (RawBsonDocument document : mongo.getCollection(collection)
                            .withDocumentClass(RawBsonDocument.class).find()) {
                        sizes.add(document.getByteBuffer().remaining());
                    }
                    sizes.sort(java.util.Comparator.reverseOrder());
                    double mean = sizes.stream().mapToInt(Integer::intValue).average().orElse(0);
                    out.append(String.format(Locale.ROOT, "%n    %-32s %,9d documents, mean %,7.0f B, largest %s",
                            collection, sizes.size(), mean, sizes.subList(0, Math.min(3, sizes.size()))));
                });
        return out.toString();
    }

    /** CPU time the threads took between {@code before} and {@code after} (threads gone meanwhile not counted). */
    private static long since(Map<Long, Long> before, Map<Long, Long> after) {
        long nanos = 0;
        for (Map.Entry<Long, Long> thread : after.entrySet()) {
            nanos += thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
        }
        return nanos;
    }

    /** CPU time so far of each thread whose name {@code named} accepts, by thread id. */
    private static Map<Long, Long> cpu(ThreadMXBean threads, Predicate<String> named) {
        Map<Long, Long> cpu = new HashMap<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (named.test(thread.getName())) {
                long nanos = threads.getThreadCpuTime(thread.threadId());
                if (nanos >= 0) {
                    cpu.put(thread.threadId(), nanos);
                }
            }
        }
        return cpu;
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * Events the inbox has processed for the feed so far (a counter in memory: polling it costs the store nothing; found
     * once, as searching the registry every 20 ms took a few percent of the machine).
     */
    private long processed() {
        if (processedCounter == null) {
            processedCounter = meters.find("pathways.inbox.events").tag("handler", HANDLER)
                    .tag("outcome", "processed").counter();
        }
        return processedCounter == null ? 0 : (long) processedCounter.count();
    }

    /** Milliseconds the JVM's collectors have taken so far. */
    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
    }

    /** Bytes the binding's consumer threads have allocated so far, by thread id. */
    private static Map<Long, Long> consumerAllocation() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                .getThreadMXBean();
        Map<Long, Long> bytes = new HashMap<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (CONSUMER.test(thread.getName())) {
                long allocated = threads.getThreadAllocatedBytes(thread.threadId());
                if (allocated >= 0) {
                    bytes.put(thread.threadId(), allocated);
                }
            }
        }
        return bytes;
    }

    private void awaitProcessed(long target, Duration deadline) throws InterruptedException {
        long until = System.nanoTime() + deadline.toNanos();
        while (processed() < target) {
            if (System.nanoTime() > until) {
                throw new AssertionError("Processed " + processed() + " of " + target + " within " + deadline);
            }
            Thread.sleep(20);
        }
    }

    private long documents() {
        long count = 0;
        for (String collection : mongo.getCollectionNames()) {
            count += mongo.getCollection(collection).countDocuments();
        }
        return count;
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafkaBootstrapServers(), ProducerConfig.ACKS_CONFIG,
 "all",
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends {@code event} as an outside producer would (CloudEvents SDK, structured JSON), its type schema-checked. */
    private Future<?> send(KafkaProducer<String, byte[]> producer, PathwaysEvent event) {
        EventType type = EventType.of(event);
        byte[] data = JSON.writeValueAsString(event).getBytes(StandardCharsets.UTF_8);
        if (checked.add(type)) {
            schemas.requireValid(type, JSON.readTree(data));
        }
        CloudEvent cloudEvent = CloudEventBuilder.v1()
                .withId(UUID.randomUUID().toString())
                .withSource(URI.create("/pathways/benchmark"))
                .withType(type.type())
                .withSubject(event.subject())
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataSchema(type.dataschema())
                .withDataContentType("application/json")
                .withExtension("partitionkey", event.subject())
                .withData(data)
                .build();
        return producer.send(new ProducerRecord<>(type.topic().topicName(), event.subject(),
                EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).serialize(cloudEvent)));
    }

    /** Adds {@code total} documents of stored data to the service's database ({@link BacklogBaseline#seed}). */
    private String seed(int total) {
        long started = System.nanoTime();
        BacklogBaseline.seed(mongo.getDb(), total, Set.of("projection-generations"));
        return String.format(Locale.ROOT, "seeded %,d more documents in %.0f s", total,
                (System.nanoTime() - started) / 1e9);
    }
}
