package org.pathways.messaging.outbox;

import java.time.Duration;

import org.springframework.core.env.Environment;

/**
 * How long one send of the relay can take at most, from the Kafka producer settings the platform configures
 * ({@code spring.cloud.stream.kafka.binder.producer-properties}, falling back to the binder's {@code configuration} and
 * then to Kafka's own defaults): {@code max.block.ms} bounds the wait inside {@code send()} (metadata, a full buffer),
 * {@code delivery.timeout.ms} the wait for the acknowledgement after it, retries included. Kafka's defaults (60 s and
 * 120 s) outlast the relay's lease, so during a broker outage another instance would take over an aggregate whose
 * send is still under way and publish its events twice and out of order; the relay refuses to start with such bounds.
 */
public record ProducerBounds(Duration maxBlock, Duration deliveryTimeout, Duration requestTimeout) {

    private static final String PRODUCER = "spring.cloud.stream.kafka.binder.producer-properties.";
    private static final String CLIENT = "spring.cloud.stream.kafka.binder.configuration.";

    public static ProducerBounds of(Environment environment) {
        return new ProducerBounds(setting(environment, "max.block.ms", 60_000),
                setting(environment, "delivery.timeout.ms", 120_000),
                setting(environment, "request.timeout.ms", 30_000));
    }

    /** The longest one send can keep the relay waiting. */
    public Duration longestSend() {
        return maxBlock.plus(deliveryTimeout);
    }

    /** Refuses a lease that one send could outlive. */
    public void requireWithin(Duration lease) {
        if (longestSend().compareTo(lease) >= 0) {
            throw new IllegalStateException("pathways.messaging.outbox.lease (" + lease + ") must outlast one send of"
                    + " the relay: the producer's max.block.ms + delivery.timeout.ms (" + longestSend() + "). Set"
                    + " them in spring.cloud.stream.kafka.binder.producer-properties (see pathways-messaging.yml)");
        }
    }

    private static Duration setting(Environment environment, String name, long kafkaDefault) {
        String value = environment.getProperty(PRODUCER + name, environment.getProperty(CLIENT + name));
        return Duration.ofMillis(value == null || value.isBlank() ? kafkaDefault : Long.parseLong(value.trim()));
    }
}
