package org.pathways.messaging.inbox;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer.HeaderNames;

/**
 * Puts a record a batch consumer could not process on the service's dead-letter topic exactly as the binder does for
 * a record consumer, through Spring Kafka's {@link DeadLetterPublishingRecoverer} (the binder's own dead-letter
 * path is built on the same recoverer): the record's key, value and headers, plus the binder's header names
 * {@code x-original-topic}, {@code -partition}, {@code -offset}, {@code -timestamp}, {@code -timestamp-type} and
 * {@code x-exception-fqcn}, {@code -message}, {@code -stacktrace}; so the dead letters' administration lists,
 * re-drives and discards it like any other. Waits for the broker's acknowledgement: a record is only left behind
 * once it is safely dead-lettered.
 */
public class RecordDeadLetters implements DisposableBean {

    /** One record as it was consumed. */
    public record FailedRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                               Map<String, byte[]> headers) {
    }

    /** The binder's dead-letter header names (Spring Kafka's own default to {@code kafka_dlt-...}). */
    private static final HeaderNames BINDER_HEADER_NAMES = HeaderNames.Builder.original()
            .topicHeader("x-original-topic")
            .partitionHeader("x-original-partition")
            .offsetHeader("x-original-offset")
            .timestampHeader("x-original-timestamp")
            .timestampTypeHeader("x-original-timestamp-type")
            .consumerGroupHeader("x-original-consumer-group")
            .exception()
            .exceptionFqcn("x-exception-fqcn")
            .exceptionCauseFqcn("x-exception-cause-fqcn")
            .exceptionMessage("x-exception-message")
            .exceptionStacktrace("x-exception-stacktrace")
            .keyExceptionFqcn("x-exception-key-fqcn")
            .keyExceptionMessage("x-exception-key-message")
            .keyExceptionStacktrace("x-exception-key-stacktrace")
            .build();

    private final String topic;
    private final DefaultKafkaProducerFactory<byte[], byte[]> producers;
    private final DeadLetterPublishingRecoverer recoverer;

    /**
     * @param producerProperties the service's producer settings: the broker's address and security, as for every
     *     other client of the service; the acknowledgement, idempotence and time bounds are this class's own
     */
    public RecordDeadLetters(String topic, Map<String, Object> producerProperties, Duration timeout) {
        this.topic = topic;
        Map<String, Object> config = new HashMap<>(producerProperties);
        // The serializers are given as instances: byte arrays in, byte arrays out, whatever the service's default.
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        int bound = (int) timeout.toMillis();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, bound);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, bound);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, bound + 1);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producers = new DefaultKafkaProducerFactory<>(config, new ByteArraySerializer(),
                new ByteArraySerializer());
        // A negative partition lets the producer choose, as for any record written to the topic.
        this.recoverer = new DeadLetterPublishingRecoverer(new KafkaTemplate<>(producers),
                (record, failure) -> new TopicPartition(topic, -1));
        recoverer.setHeaderNamesSupplier(() -> BINDER_HEADER_NAMES);
        recoverer.setFailIfSendResultIsError(true);
        recoverer.setWaitForSendResultTimeout(timeout);
    }

    public String topic() {
        return topic;
    }

    /** The settings the dead-letter producer connects with. */
    public Map<String, Object> producerConfiguration() {
        return Map.copyOf(producers.getConfigurationProperties());
    }

    /** Dead-letters {@code record} because of {@code failure}; throws if the broker did not take it. */
    public void deadLetter(FailedRecord record, Throwable failure) {
        RecordHeaders headers = new RecordHeaders();
        record.headers().forEach(headers::add);
        ConsumerRecord<byte[], byte[]> consumed = new ConsumerRecord<>(record.topic(), record.partition(),
                record.offset(), record.timestamp(), TimestampType.CREATE_TIME,
                record.key() == null ? -1 : record.key().length, record.value() == null ? -1 : record.value().length,
                record.key(), record.value(), headers, Optional.empty());
        Exception cause = failure instanceof Exception exception ? exception : new IllegalStateException(failure);
        try {
            recoverer.accept(consumed, null, cause);
        } catch (RuntimeException failed) {
            throw new IllegalStateException("Could not dead-letter to " + topic + ": "
                    + failed.getClass().getSimpleName(), failed);
        }
    }

    @Override
    public void destroy() {
        producers.destroy();
    }
}
