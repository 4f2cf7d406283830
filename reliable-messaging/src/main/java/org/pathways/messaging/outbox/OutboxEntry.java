package org.pathways.messaging.outbox;

import java.time.Instant;
import java.util.Date;

import org.bson.Document;
import org.pathways.messaging.cloudevents.OutgoingEvent;

/**
 * An event waiting in its aggregate's document to be published. Stored inside the aggregate so that the change and
 * its events are written in one atomic single-document operation.
 *
 * @param data the event data as JSON text, exactly as it will be published
 */
public record OutboxEntry(String eventId, String type, String topic, String subject, Instant time,
                          String dataschema, String source, String data, String traceparent, Instant recordedAt)
        implements OutgoingEvent {

    static final String FIELD = "outbox";

    Document toDocument() {
        return new Document("eventId", eventId)
                .append("type", type)
                .append("topic", topic)
                .append("subject", subject)
                .append("time", Date.from(time))
                .append("dataschema", dataschema)
                .append("source", source)
                .append("data", data)
                .append("traceparent", traceparent)
                .append("recordedAt", Date.from(recordedAt));
    }

    static OutboxEntry fromDocument(Document document) {
        return new OutboxEntry(document.getString("eventId"), document.getString("type"),
                document.getString("topic"), document.getString("subject"), document.getDate("time").toInstant(),
                document.getString("dataschema"), document.getString("source"), document.getString("data"),
                document.getString("traceparent"), document.getDate("recordedAt").toInstant());
    }
}
