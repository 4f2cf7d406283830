package org.pathways.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.messaging.MessagingTestApplication.TrackedLearner;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.testing.SharedInfrastructure;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.mongodb.core.MongoTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two instances of a service relay the same outbox collection while the Kafka broker is killed for longer than the
 * relay's lease, and changes keep coming to both; then the broker comes back. Each aggregate's events must reach the
 * topic complete and in order, and an event may appear twice only if its send was under way when the broker died
 * (the broker may have written it without the acknowledgement getting back): at most one per aggregate, because only
 * the lease holder sends and it sends one event at a time.
 *
 * <p>The instances run with the platform's producer settings (pathways-messaging.yml) scaled down with the lease, so
 * that the outage need not last half a minute: production bounds one send to 15 s (max.block.ms + delivery.timeout.ms)
 * within a 30 s lease; here one send is bounded to 6 s within a 10 s lease, the same relation (the relay refuses to
 * start otherwise, {@code ProducerBounds}), and the broker stays down for longer than the lease as before.
 */
class OutboxBrokerOutageTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "pathways.learners";
    private static final Duration LEASE = Duration.ofSeconds(10);
    /** The producer's bounds on one send: 2 s blocked in send(), then 4 s for the acknowledgement, retries included. */
    private static final Map<String, String> PRODUCER_BOUNDS = Map.of("max.block.ms", "2000",
            "request.timeout.ms", "2000", "delivery.timeout.ms", "4000");
    private static final int AGGREGATES = 4;

    @Test
    void eachAggregatesEventsKeepTheirOrderAndAreNotDoubledAcrossABrokerOutageLongerThanTheLease() throws Exception {
        String database = "outage-" + UUID.randomUUID();
        try (StandaloneKafkaBroker broker = new StandaloneKafkaBroker();
             MongoClient client = MongoClients.create(SharedInfrastructure.mongoUri())) {
            broker.start();
            MongoTemplate mongo = new MongoTemplate(client, database);
            try (ConfigurableApplicationContext first = instance(broker, database);
                 ConfigurableApplicationContext second = instance(broker, database)) {
                List<Outbox> outboxes = List.of(first.getBean(Outbox.class), second.getBean(Outbox.class));
                Writer writer = new Writer(outboxes);

                writer.write(20, Duration.ofMillis(50));
                // Both instances relay (each has bound its producer to the topic: the binder's first send to a
                // topic provisions it through an admin client, which the producer's bounds do not cover).
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> published(first) > 0 && published(second) > 0
                                && writer.ids.stream().allMatch(id -> pending(mongo, id) == 0));
                broker.kill();
                Instant down = Instant.now();
                // Changes keep coming to both instances while the broker is down, for longer than the lease.
                while (Duration.between(down, Instant.now()).compareTo(LEASE.plusSeconds(5)) < 0) {
                    writer.write(4, Duration.ofMillis(100));
                }
                broker.start();
                Duration outage = Duration.between(down, Instant.now());
                Instant up = Instant.now();
                writer.write(20, Duration.ofMillis(50));

                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> writer.ids.stream().allMatch(id -> pending(mongo, id) == 0));

                Duration drained = Duration.between(up, Instant.now());
                Map<String, List<Published>> topic = readTopic(broker, writer.ids);
                int republished = 0;
                for (String id : writer.ids) {
                    List<Published> records = topic.getOrDefault(id, List.of());
                    int written = writer.written.get(id);
                    int highest = -1;
                    Set<String> eventIds = new HashSet<>();
                    for (Published record : records) {
                        assertThat(record.place()).as("aggregate %s: event %d follows event %d", id, record.place(),
                                highest).isLessThanOrEqualTo(highest + 1);
                        highest = Math.max(highest, record.place());
                        if (!eventIds.add(record.eventId())) {
                            republished++;
                        }
                    }
                    assertThat(eventIds).as("every event of %s published", id).hasSize(written);
                    assertThat(highest).isEqualTo(written - 1);
                }
                System.out.printf("broker outage %d s (lease %d s): %d events of %d aggregates written through two"
                                + " instances, %d records on the topic, %d re-published (send under way when the"
                                + " broker died), outboxes empty %d s after the broker was back%n", outage.toSeconds(),
                        LEASE.toSeconds(), writer.total(), AGGREGATES,
                        topic.values().stream().mapToInt(List::size).sum(), republished, drained.toSeconds());
                assertThat(republished).as("re-published events").isLessThanOrEqualTo(AGGREGATES);
            }
        }
    }

    /** One instance of the service, on the standalone broker and a database the two instances share. */
    private static ConfigurableApplicationContext instance(StandaloneKafkaBroker broker, String database) {
        List<String> arguments = new ArrayList<>(List.of("--spring.config.name=messaging-test",
                "--spring.cloud.stream.kafka.binder.brokers=" + broker.bootstrapServers(),
                "--pathways.messaging.outbox.lease=" + LEASE.toSeconds() + "s",
                "--server.port=0"));
        PRODUCER_BOUNDS.forEach((name, value) -> arguments.add(
                "--spring.cloud.stream.kafka.binder.producer-properties." + name + "=" + value));
        SharedInfrastructure.serviceProperties(database).forEach((name, value) -> {
            if (!name.equals("spring.cloud.stream.kafka.binder.brokers")) {
                arguments.add("--" + name + "=" + value);
            }
        });
        return new SpringApplicationBuilder(MessagingTestApplication.class).web(WebApplicationType.SERVLET)
                .run(arguments.toArray(String[]::new));
    }

    private static double published(ConfigurableApplicationContext instance) {
        return instance.getBean(MeterRegistry.class).counter("pathways.outbox.published").count();
    }

    private static int pending(MongoTemplate mongo, String id) {
        Document document = mongo.findById(id, Document.class, "tracked-learners");
        return document == null ? 0 : document.getList("outbox", Document.class, List.of()).size();
    }

    /** One record on the topic: its event id and the place of its event in its aggregate's write order. */
    private record Published(String eventId, int place) {
    }

    /** Every record of the aggregates on the topic, in each partition's order (an aggregate is on one partition). */
    private static Map<String, List<Published>> readTopic(StandaloneKafkaBroker broker, List<String> ids) {
        Map<String, List<Published>> byAggregate = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(TOPIC, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (ids.contains(record.key())) {
                        JsonNode event = JSON.readTree(record.value());
                        int place = Integer.parseInt(event.get("data").get("localityCode").asString().substring(1));
                        byAggregate.computeIfAbsent(record.key(), key -> new ArrayList<>())
                                .add(new Published(event.get("id").asString(), place));
                    }
                }
            }
        }
        return byAggregate;
    }

    /** Saves numbered changes round the aggregates, through the two instances in turn. */
    private static final class Writer {
        final List<String> ids = new ArrayList<>();
        final Map<String, Integer> written = new HashMap<>();
        private final Map<String, TrackedLearner> learners = new HashMap<>();
        private final List<Outbox> outboxes;
        private int saves;

        Writer(List<Outbox> outboxes) {
            this.outboxes = outboxes;
            for (int i = 0; i < AGGREGATES; i++) {
                ids.add("lrn-outage-" + UUID.randomUUID());
            }
        }

        void write(int count, Duration pause) throws InterruptedException {
            for (int i = 0; i < count; i++) {
                String id = ids.get(saves % AGGREGATES);
                int place = written.getOrDefault(id, 0);
                TrackedLearner learner = learners.getOrDefault(id, new TrackedLearner(id, "LS1"));
                learner.note = "change " + place;
                Outbox outbox = outboxes.get((saves / AGGREGATES) % outboxes.size());
                learners.put(id, outbox.save(learner, new LearnerRegistered(id, "agency-college", "S" + place,
                        Instant.now())));
                written.put(id, place + 1);
                saves++;
                Thread.sleep(pause);
            }
        }

        int total() {
            return saves;
        }
    }
}
