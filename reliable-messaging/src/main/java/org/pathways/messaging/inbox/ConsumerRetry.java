package org.pathways.messaging.inbox;

import java.time.Duration;

/**
 * How a batch consumer retries one failing event before dead-lettering it: the binder's own settings for record
 * consumers ({@code spring.cloud.stream.default.consumer.max-attempts}, {@code back-off-initial-interval},
 * {@code back-off-multiplier}, {@code back-off-max-interval}), applied by the inbox, since a batch is retried by the
 * binder as a whole.
 */
public record ConsumerRetry(int maxAttempts, Duration initialBackOff, double multiplier, Duration maxBackOff) {

    public ConsumerRetry {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("At least one attempt");
        }
    }

    /** How long to wait after failed attempt {@code attempt} (1 for the first). */
    Duration backOff(int attempt) {
        double millis = initialBackOff.toMillis() * Math.pow(multiplier, attempt - 1);
        return Duration.ofMillis((long) Math.min(millis, maxBackOff.toMillis()));
    }
}
