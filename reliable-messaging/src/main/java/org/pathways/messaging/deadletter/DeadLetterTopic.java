package org.pathways.messaging.deadletter;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.beans.factory.DisposableBean;

/**
 * The service's dead-letter topic ({@code pathways.dlq.<service>}), read with a plain Kafka consumer that joins no
 * group (it assigns itself every partition and reads from the start to the end offsets it saw first), and the one
 * producer that sends a record back to where it came from. The topic itself is never changed: what was done about a
 * record is kept in MongoDB ({@link DeadLetterStates}).
 */
public class DeadLetterTopic implements DisposableBean {

    /** The headers the binder puts on a dead-lettered record, which a re-driven record must not carry. */
    static final List<String> DEAD_LETTER_HEADER_PREFIXES = List.of("x-exception-", "x-original-", "kafka_dlt-");

    /** A record as read from the topic. */
    public record Record(int partition, long offset, Instant timestamp, byte[] key, byte[] value,
                         List<Header> headers) {

        public String id() {
            return partition + "-" + offset;
        }

        /** The last value of a header as text, or null. */
        String text(String name) {
            for (int i = headers.size() - 1; i >= 0; i--) {
                if (headers.get(i).key().equals(name)) {
                    byte[] value = headers.get(i).value();
                    return value == null ? null : new String(value, StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        /** A numeric header, as the binder writes them (4 or 8 bytes big-endian) or as text. */
        Long number(String name) {
            for (int i = headers.size() - 1; i >= 0; i--) {
                if (headers.get(i).key().equals(name)) {
                    byte[] value = headers.get(i).value();
                    if (value == null) {
                        return null;
                    }
                    if (value.length == Integer.BYTES) {
                        return (long) ByteBuffer.wrap(value).getInt();
                    }
                    if (value.length == Long.BYTES) {
                        return ByteBuffer.wrap(value).getLong();
                    }
                    try {
                        return Long.parseLong(new String(value, StandardCharsets.UTF_8).trim());
                    } catch (NumberFormatException notANumber) {
                        return null;
                    }
                }
            }
            return null;
        }
    }

    private final String topic;
    private final Map<String, Object> consumerSettings;
    private final Map<String, Object> producerSettings;
    private final Duration timeout;
    private volatile KafkaProducer<byte[], byte[]> producer;
    private KafkaConsumer<byte[], byte[]> consumer;

    /**
     * @param consumerSettings where and how the reading consumer connects: the brokers and everything the service's
     *                         other consumers use to reach them (security protocol, SASL, SSL); settings of its own
     *                         (no group, no auto-commit, read committed, the timeout) are put over them
     * @param producerSettings the same for the re-driving producer (acks, idempotence and the timeout put over them)
     */
    public DeadLetterTopic(String topic, Map<String, Object> consumerSettings, Map<String, Object> producerSettings,
                           Duration timeout) {
        this.topic = topic;
        this.consumerSettings = Map.copyOf(consumerSettings);
        this.producerSettings = Map.copyOf(producerSettings);
        this.timeout = timeout;
    }

    public String name() {
        return topic;
    }

    /** Every record on the topic now, oldest first (by partition and offset). */
    public synchronized List<Record> readAll() {
        try {
            KafkaConsumer<byte[], byte[]> consumer = consumer();
            List<TopicPartition> partitions = partitions(consumer);
            if (partitions.isEmpty()) {
                return List.of();
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
            List<Record> records = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!end.isEmpty()) {
                end.entrySet().removeIf(partition -> consumer.position(partition.getKey(), timeout)
                        >= partition.getValue());
                if (end.isEmpty()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new DeadLetterTopicUnavailable("Reading " + topic + " took longer than " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Long last = end.get(new TopicPartition(record.topic(), record.partition()));
                    if (last != null && record.offset() < last) {
                        records.add(of(record));
                    }
                }
            }
            records.sort(Comparator.comparingInt(Record::partition).thenComparingLong(Record::offset));
            return records;
        } catch (org.apache.kafka.common.KafkaException | IllegalStateException failed) {
            closeConsumer();
            throw new DeadLetterTopicUnavailable("Could not read " + topic + ": " + failed.getClass().getSimpleName());
        } catch (DeadLetterTopicUnavailable slow) {
            closeConsumer();
            throw slow;
        }
    }

    /** The record at {@code partition} and {@code offset}, if the topic has it. */
    public synchronized Optional<Record> read(int partition, long offset) {
        try {
            KafkaConsumer<byte[], byte[]> consumer = consumer();
            TopicPartition at = new TopicPartition(topic, partition);
            if (partitions(consumer).stream().noneMatch(at::equals)) {
                return Optional.empty();
            }
            consumer.assign(List.of(at));
            long end = consumer.endOffsets(List.of(at), timeout).getOrDefault(at, 0L);
            long start = consumer.beginningOffsets(List.of(at), timeout).getOrDefault(at, 0L);
            if (offset < start || offset >= end) {
                return Optional.empty();
            }
            consumer.seek(at, offset);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() == offset) {
                        return Optional.of(of(record));
                    }
                    if (record.offset() > offset) {
                        return Optional.empty();   // a compacted or transaction-marker offset: no record there
                    }
                }
                if (consumer.position(at, timeout) > offset) {
                    return Optional.empty();
                }
            }
            throw new DeadLetterTopicUnavailable("Reading " + topic + " took longer than " + timeout);
        } catch (org.apache.kafka.common.KafkaException | IllegalStateException failed) {
            closeConsumer();
            throw new DeadLetterTopicUnavailable("Could not read " + topic + ": " + failed.getClass().getSimpleName());
        } catch (DeadLetterTopicUnavailable slow) {
            closeConsumer();
            throw slow;
        }
    }

    /**
     * Sends the record back to {@code originalTopic} as it was first published: the same key (so the same
     * partition), the same value (so the same CloudEvent and event id) and its own headers, without the ones the
     * dead-lettering added; waits for the broker's acknowledgement.
     */
    public void redrive(Record record, String originalTopic) {
        ProducerRecord<byte[], byte[]> again = new ProducerRecord<>(originalTopic, record.key(), record.value());
        for (Header header : record.headers()) {
            if (DEAD_LETTER_HEADER_PREFIXES.stream().noneMatch(header.key()::startsWith)) {
                again.headers().add(header);
            }
        }
        KafkaProducer<byte[], byte[]> sending = producer();
        try {
            sending.send(again).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new DeadLetterTopicUnavailable("Interrupted while re-driving to " + originalTopic);
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof TopicAuthorizationException) {
                throw new RedriveRefused(originalTopic);
            }
            discardProducer(sending);
            throw new DeadLetterTopicUnavailable("Could not re-drive to " + originalTopic + ": "
                    + failed.getCause().getClass().getSimpleName());
        } catch (TopicAuthorizationException refused) {
            throw new RedriveRefused(originalTopic);
        } catch (TimeoutException | org.apache.kafka.common.KafkaException failed) {
            discardProducer(sending);
            throw new DeadLetterTopicUnavailable("Could not re-drive to " + originalTopic + ": "
                    + failed.getClass().getSimpleName());
        }
    }

    /**
     * The broker refuses the service's principal Write on the record's original topic: on a broker with a user and
     * ACLs per service, a service publishes only its own topics, and its dead letters come from topics it consumes.
     */
    public static class RedriveRefused extends RuntimeException {
        public RedriveRefused(String originalTopic) {
            super("The broker does not let this service write to " + originalTopic
                    + " (a service publishes only its own topics)");
        }
    }

    private static Record of(ConsumerRecord<byte[], byte[]> record) {
        List<Header> headers = new ArrayList<>();
        record.headers().forEach(headers::add);
        return new Record(record.partition(), record.offset(), Instant.ofEpochMilli(record.timestamp()),
                record.key(), record.value(), headers);
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        List<PartitionInfo> infos = consumer.listTopics(timeout).get(topic);
        if (infos == null) {
            return List.of();
        }
        return infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    }

    /**
     * One consumer, kept between reads (reads are serialised on this object): it joins no group and assigns itself
     * what it reads each time, so no state of one read carries over to the next. Made again after a failure.
     */
    private KafkaConsumer<byte[], byte[]> consumer() {
        if (consumer == null) {
            consumer = newConsumer();
        }
        return consumer;
    }

    private void closeConsumer() {
        if (consumer != null) {
            try {
                consumer.close(Duration.ofSeconds(1));
            } catch (RuntimeException ignored) {
                // it is being thrown away
            }
            consumer = null;
        }
    }

    private KafkaConsumer<byte[], byte[]> newConsumer() {
        return new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** What the reading consumer is made with: the service's settings, then this topic's own over them. */
    Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>(consumerSettings);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        config.remove(ConsumerConfig.CLIENT_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        return config;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        KafkaProducer<byte[], byte[]> current = producer;
        if (current == null) {
            synchronized (this) {
                current = producer;
                if (current == null) {
                    current = new KafkaProducer<>(producerConfig(), new ByteArraySerializer(),
                            new ByteArraySerializer());
                    producer = current;
                }
            }
        }
        return current;
    }

    /** What the re-driving producer is made with: the service's settings, then this topic's own over them. */
    Map<String, Object> producerConfig() {
        int bound = (int) timeout.toMillis();
        Map<String, Object> config = new HashMap<>(producerSettings);
        config.remove(ProducerConfig.CLIENT_ID_CONFIG);
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        config.putAll(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, bound,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, bound,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, bound + 1,
                ProducerConfig.LINGER_MS_CONFIG, 0));
        return config;
    }

    /**
     * Closes a producer that failed for any reason other than the broker refusing the topic (a fatal error leaves an
     * idempotent producer unusable for every later send), so that the next re-drive makes a new one.
     */
    private void discardProducer(KafkaProducer<byte[], byte[]> failed) {
        synchronized (this) {
            if (producer == failed) {
                producer = null;
            }
        }
        try {
            failed.close(Duration.ZERO);
        } catch (RuntimeException ignored) {
            // it is being thrown away
        }
    }

    @Override
    public void destroy() {
        synchronized (this) {
            closeConsumer();
        }
        KafkaProducer<byte[], byte[]> current = producer;
        if (current != null) {
            current.close(Duration.ofSeconds(2));
        }
    }
}
