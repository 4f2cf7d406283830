package org.pathways.messaging.cloudevents;

import java.time.Instant;

/**
 * What the CloudEvents envelope and its Kafka record are made from: an event about to be published (the outbox's
 * entry is one). The codec depends on this, not on the outbox, so the wire format stands below both the outbox that
 * writes it and the inbox that reads it.
 */
public interface OutgoingEvent {

    String eventId();

    String type();

    /** The Kafka topic it goes to. */
    String topic();

    /** The aggregate id: CloudEvents {@code subject}, {@code partitionkey} and the record key. */
    String subject();

    Instant time();

    String dataschema();

    String source();

    /** The event's data as JSON. */
    String data();

    /** The W3C trace context it was written in, or null. */
    String traceparent();
}
