package org.pathways.messaging.cloudevents;

import java.nio.charset.StandardCharsets;

import io.cloudevents.CloudEvent;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.KafkaMessageFactory;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.pathways.messaging.tracing.TraceContext;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

/**
 * The one place a Kafka record is made from an event: the CloudEvents Kafka protocol binding in structured mode,
 * written by the CloudEvents SDK's own Kafka writer. The record's value is the whole CloudEvent as JSON, its
 * {@code content-type} header is {@code application/cloudevents+json}, its key is the aggregate id (the event's
 * subject), and the {@code partitionkey} extension names that same key, so any CloudEvents SDK recognises it.
 * W3C {@code traceparent} travels as a header beside it.
 */
public final class CloudEventRecords {

    /** The header the Kafka protocol binding reads to tell a structured CloudEvent ({@code content-type}). */
    public static final String CONTENT_TYPE_HEADER = "content-type";

    private final CloudEventCodec codec;

    public CloudEventRecords(CloudEventCodec codec) {
        this.codec = codec;
    }

    /** The record for a plain Kafka producer. */
    public ProducerRecord<String, byte[]> record(OutgoingEvent entry) {
        return record(entry, entry.traceparent());
    }

    /** The record, carrying {@code traceparent} (the span that publishes it) rather than the one written with it. */
    public ProducerRecord<String, byte[]> record(OutgoingEvent entry, String traceparent) {
        CloudEvent event = codec.cloudEvent(entry);
        ProducerRecord<String, byte[]> record = KafkaMessageFactory.createWriter(entry.topic(), entry.subject())
                .writeStructured(event, JsonFormat.CONTENT_TYPE);
        if (traceparent != null) {
            record.headers().add(TraceContext.HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    /**
     * The same record as a message for the Spring Cloud Stream binder: every header the SDK wrote travels as raw
     * bytes, and the binder is configured (pathways-messaging.yml, {@code header-patterns}) not to add Spring's own
     * {@code contentType} header, so nothing on the record contradicts the binding's {@code content-type}.
     */
    public Message<byte[]> message(OutgoingEvent entry) {
        return message(entry, entry.traceparent());
    }

    /** The message, carrying {@code traceparent} (the span that publishes it). */
    public Message<byte[]> message(OutgoingEvent entry, String traceparent) {
        ProducerRecord<String, byte[]> record = record(entry, traceparent);
        MessageBuilder<byte[]> message = MessageBuilder.withPayload(record.value())
                .setHeader(KafkaHeaders.KEY, record.key().getBytes(StandardCharsets.UTF_8));
        for (Header header : record.headers()) {
            message.setHeader(header.key(), header.value());
        }
        return message.build();
    }
}
