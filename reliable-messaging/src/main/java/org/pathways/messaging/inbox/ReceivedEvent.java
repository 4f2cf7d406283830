package org.pathways.messaging.inbox;

import java.time.Instant;
import java.util.Optional;

import io.cloudevents.CloudEvent;
import org.pathways.events.catalogue.EventType;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * One event as a consumer receives it. Consumers tolerate what they do not know: an unknown type is skipped, and
 * unknown fields in a known type are ignored, so producers can add optional fields without breaking anyone.
 */
public record ReceivedEvent(String id, String type, String subject, Instant time, String source, byte[] data,
                            String traceparent) {

    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /**
     * The event a record holds: a structured CloudEvent with data, subject and time; anything else is a
     * {@link MalformedEventException}, never retried.
     */
    public static ReceivedEvent decode(CloudEventCodec codec, byte[] record, String traceparent) {
        CloudEvent event;
        try {
            event = codec.read(record);
        } catch (CloudEventCodec.UnreadableEventException unreadable) {
            throw new MalformedEventException(unreadable.getMessage());
        }
        return new ReceivedEvent(event.getId(), event.getType(), event.getSubject(), event.getTime().toInstant(),
                event.getSource().toString(), event.getData().toBytes(), traceparent);
    }

    public Optional<EventType> knownType() {
        return EventType.ofType(type);
    }

    public boolean is(EventType eventType) {
        return eventType.type().equals(type);
    }

    public <T> T data(Class<T> dataClass) {
        try {
            return JSON.readValue(data, dataClass);
        } catch (JacksonException e) {
            throw new MalformedEventException("Event " + id + " of type " + type + " has unreadable data");
        }
    }
}
