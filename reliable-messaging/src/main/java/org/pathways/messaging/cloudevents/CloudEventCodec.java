package org.pathways.messaging.cloudevents;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventDeserializationException;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;

/**
 * CloudEvents 1.0 in structured JSON mode ({@code application/cloudevents+json}) through the CloudEvents SDK: the
 * Kafka record value is the whole event, so an agency receives exactly what was published.
 */
public final class CloudEventCodec {

    public static final String CONTENT_TYPE = JsonFormat.CONTENT_TYPE;

    private final EventFormat format = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);

    /** The CloudEvents extension that names the Kafka record key (the aggregate id), per the Kafka binding. */
    public static final String PARTITION_KEY = "partitionkey";

    /** The structured JSON of the event, exactly the value of its Kafka record. */
    public byte[] encode(OutgoingEvent entry) {
        return format.serialize(cloudEvent(entry));
    }

    /** The event as a CloudEvent; its {@code partitionkey} extension is the record key, the subject. */
    public CloudEvent cloudEvent(OutgoingEvent entry) {
        return CloudEventBuilder.v1()
                .withId(entry.eventId())
                .withSource(URI.create(entry.source()))
                .withType(entry.type())
                .withSubject(entry.subject())
                .withTime(OffsetDateTime.ofInstant(entry.time(), ZoneOffset.UTC))
                .withDataSchema(URI.create(entry.dataschema()))
                .withDataContentType("application/json")
                .withExtension(PARTITION_KEY, entry.subject())
                .withData(entry.data().getBytes(StandardCharsets.UTF_8))
                .build();
    }

    /** The CloudEvent a record holds, when it is a readable structured one: for looking at its envelope. */
    public java.util.Optional<CloudEvent> envelope(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(format.deserialize(bytes));
        } catch (RuntimeException unreadable) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Reads a structured CloudEvent with data, subject and time; anything else is an {@link UnreadableEventException}
     * (the inbox dead-letters it at once, never retrying).
     */
    public CloudEvent read(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new UnreadableEventException("Empty record");
        }
        CloudEvent event;
        try {
            event = format.deserialize(bytes);
        } catch (EventDeserializationException | IllegalArgumentException | IllegalStateException e) {
            throw new UnreadableEventException("Not a structured JSON CloudEvent: " + e.getMessage());
        }
        if (event.getData() == null || event.getSubject() == null || event.getTime() == null) {
            throw new UnreadableEventException("CloudEvent " + event.getId() + " lacks data, subject or time");
        }
        return event;
    }

    /** A record that is not a readable structured CloudEvent. */
    public static final class UnreadableEventException extends IllegalArgumentException {
        public UnreadableEventException(String message) {
            super(message);
        }
    }
}
