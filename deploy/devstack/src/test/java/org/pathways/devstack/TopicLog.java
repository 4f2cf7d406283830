package org.pathways.devstack;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything written to some topics, read from outside with a plain Kafka consumer (no group, every partition from
 * the beginning), as the broker holds it: each record with its coordinates and, when it is a structured CloudEvent,
 * its id, type and subject.
 */
final class TopicLog implements AutoCloseable {

    /** One record; {@code eventId}, {@code type} and {@code subject} are null when it is not a CloudEvent. */
    record Entry(String topic, int partition, long offset, String key, String value, String eventId, String type,
                 String subject) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    TopicLog(Map<String, Object> clientConfig, Collection<String> topics) {
        Map<String, Object> config = new java.util.HashMap<>(clientConfig);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        this.consumer = new KafkaConsumer<>(config);
        for (String topic : topics) {
            for (PartitionInfo partition : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, partition.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads on until every partition's end as it is now; returns everything read so far, in offset order per partition. */
    List<Entry> catchUp() {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && partitions.stream()
                .anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                entries.add(entry(record));
            }
        }
        return List.copyOf(entries);
    }

    private static Entry entry(ConsumerRecord<String, byte[]> record) {
        String value = record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
        String id = null;
        String type = null;
        String subject = null;
        try {
            JsonNode event = value == null ? null : JSON.readTree(value);
            if (event != null && event.isObject() && event.hasNonNull("id") && event.hasNonNull("type")) {
                id = event.get("id").asString();
                type = event.get("type").asString();
                subject = event.hasNonNull("subject") ? event.get("subject").asString() : null;
            }
        } catch (RuntimeException notJson) {
            // A poison record, or anything else that is not a CloudEvent: kept with no id.
        }
        return new Entry(record.topic(), record.partition(), record.offset(), record.key(), value, id, type, subject);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
