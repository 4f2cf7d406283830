package org.pathways.messaging.inbox;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.beans.factory.DisposableBean;

/**
 * Puts a record a batch consumer could not process on the service's dead-letter topic exactly as the binder does for
 * a record consumer: the record's key, value and headers, plus {@code x-original-topic}, {@code -partition},
 * {@code -offset}, {@code -timestamp}, {@code -timestamp-type} and {@code x-exception-fqcn}, {@code -message},
 * {@code -stacktrace}; so the dead letters' administration lists, re-drives and discards it like any other. Waits for
 * the broker's acknowledgement: a record is only left behind once it is safely dead-lettered.
 */
public class RecordDeadLetters implements DisposableBean {

    /** One record as it was consumed. */
    public record FailedRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                               Map<String, byte[]> headers) {
    }

    private final String topic;
    private final Map<String, Object> config;
    private final Duration timeout;
    private volatile KafkaProducer<byte[], byte[]> producer;

    /**
     * @param clientProperties the broker's address and security settings for this service's clients
     */
    public RecordDeadLetters(String topic, List<String> brokers, Map<String, String> clientProperties,
                             Duration timeout) {
        this.topic = topic;
        this.timeout = timeout;
        Map<String, Object> config = new HashMap<>(clientProperties);
        int bound = (int) timeout.toMillis();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", brokers));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, bound);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, bound);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, bound + 1);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.config = Map.copyOf(config);
    }

    public String topic() {
        return topic;
    }

    /** Dead-letters {@code record} because of {@code failure}; throws if the broker did not take it. */
    public void deadLetter(FailedRecord record, Throwable failure) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topic, null, record.key(), record.value());
        record.headers().forEach((name, value) -> letter.headers().add(name, value));
        letter.headers().add("x-original-topic", text(record.topic()))
                .add("x-original-partition", ByteBuffer.allocate(Integer.BYTES).putInt(record.partition()).array())
                .add("x-original-offset", ByteBuffer.allocate(Long.BYTES).putLong(record.offset()).array())
                .add("x-original-timestamp", ByteBuffer.allocate(Long.BYTES).putLong(record.timestamp()).array())
                .add("x-original-timestamp-type", text("CreateTime"))
                .add("x-exception-fqcn", text(failure.getClass().getName()))
                .add("x-exception-message", text(String.valueOf(failure.getMessage())))
                .add("x-exception-stacktrace", text(stackTrace(failure)));
        try {
            producer().send(letter).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while dead-lettering to " + topic, interrupted);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException failed) {
            throw new IllegalStateException("Could not dead-letter to " + topic + ": "
                    + failed.getClass().getSimpleName(), failed);
        }
    }

    private static byte[] text(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static String stackTrace(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    private KafkaProducer<byte[], byte[]> producer() {
        KafkaProducer<byte[], byte[]> current = producer;
        if (current == null) {
            synchronized (this) {
                current = producer;
                if (current == null) {
                    current = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
                    producer = current;
                }
            }
        }
        return current;
    }

    @Override
    public void destroy() {
        KafkaProducer<byte[], byte[]> current = producer;
        if (current != null) {
            current.close(Duration.ofSeconds(2));
        }
    }
}
