package org.pathways.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.messaging.MessagingTestApplication.TrackedLearner;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.testing.SharedInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Prints figures for the event path; asserts nothing about speed (shared, noisy machines). Compares, in one run,
 * the raw broker (a plain producer, acks=all) with the platform's path: an outbox write to the MongoDB-wire store,
 * the relay's acknowledged send, and arrival at a consumer. Run on demand:
 * {@code ./mvnw -B -pl reliable-messaging test -Dtest=EventPathBenchmark} (its name keeps it out of the
 * normal suite)
 */
@Tag("benchmark")
@SpringBootTest(properties = "spring.config.name=messaging-test")
class EventPathBenchmark {

    private static final int RAW_MESSAGES = 20_000;
    private static final int OUTBOX_EVENTS = 2_000;
    private static final String RAW_TOPIC = "benchmark.raw";

    @Autowired
    Outbox outbox;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry, "messaging-benchmark");
    }

    @Test
    void printEventPathFigures() throws Exception {
        byte[] kilobyte = "x".repeat(1024).getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(RAW_TOPIC, "warm-up", kilobyte)).get();
            long start = System.nanoTime();
            for (int i = 0; i < RAW_MESSAGES; i++) {
                producer.send(new ProducerRecord<>(RAW_TOPIC, "k" + (i % 64), kilobyte));
            }
            producer.flush();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("raw broker: %d x 1 KiB, acks=all, batched: %.0f msg/s%n", RAW_MESSAGES,
                    RAW_MESSAGES / seconds);
        }

        Map<String, Long> writtenAt = new ConcurrentHashMap<>();
        List<Long> latenciesMicros = Collections.synchronizedList(new ArrayList<>());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "benchmark-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("pathways.learners"));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            // Sequential writes, as requests arrive: each save returns, the relay publishes right after.
            long start = System.nanoTime();
            long writeNanos = 0;
            Thread reader = Thread.ofPlatform().start(() -> {
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (latenciesMicros.size() < OUTBOX_EVENTS && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        Long written = writtenAt.remove(record.key());
                        if (written != null) {
                            latenciesMicros.add((System.nanoTime() - written) / 1_000);
                        }
                    }
                }
            });
            for (int i = 0; i < OUTBOX_EVENTS; i++) {
                String id = "lrn-bench-" + UUID.randomUUID();
                long before = System.nanoTime();
                writtenAt.put(id, before);
                outbox.save(new TrackedLearner(id, "LS6"),
                        new LearnerRegistered(id, "agency-college", "LS6", Instant.now()));
                writeNanos += System.nanoTime() - before;
            }
            reader.join();
            double seconds = (System.nanoTime() - start) / 1e9;
            List<Long> sorted = new ArrayList<>(latenciesMicros);
            Collections.sort(sorted);
            System.out.printf("outbox path: %d events, %d arrived, %.0f events/s end to end%n", OUTBOX_EVENTS,
                    sorted.size(), sorted.size() / seconds);
            System.out.printf("  outbox write (insert with event, validated): mean %.2f ms%n",
                    writeNanos / 1e6 / OUTBOX_EVENTS);
            System.out.printf("  write -> consumer latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    percentile(sorted, 0.50) / 1000.0, percentile(sorted, 0.99) / 1000.0,
                    sorted.isEmpty() ? 0 : sorted.getLast() / 1000.0);
        }
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
    }
}
