package org.pathways.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads what really landed on a Kafka topic, with a plain Kafka consumer of its own. Polls with a deadline; never
 * sleeps for a fixed time.
 */
public final class TopicRecorder implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

    public TopicRecorder(String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "recorder-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Polls until {@code count} records match, or the deadline passes; returns the matching records seen. */
    public List<ConsumerRecord<String, byte[]>> await(Predicate<ConsumerRecord<String, byte[]>> matching, int count,
                                                      Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (matchingRecords(matching).size() < count && System.nanoTime() < end) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return matchingRecords(matching);
    }

    /** Keeps polling for {@code quiet} and returns every matching record seen, to prove nothing more arrives. */
    public List<ConsumerRecord<String, byte[]>> settle(Predicate<ConsumerRecord<String, byte[]>> matching,
                                                       Duration quiet) {
        long end = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < end) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return matchingRecords(matching);
    }

    /**
     * Every matching record read so far, without polling. Once a marker record has been awaited that was published
     * after the ones asked about, on the same key (so after them in its partition), this is all of them: proof that
     * nothing more was announced, with no quiet time window to wait out.
     */
    public List<ConsumerRecord<String, byte[]>> recorded(Predicate<ConsumerRecord<String, byte[]>> matching) {
        return matchingRecords(matching);
    }

    private List<ConsumerRecord<String, byte[]>> matchingRecords(Predicate<ConsumerRecord<String, byte[]>> matching) {
        return records.stream().filter(matching).toList();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
