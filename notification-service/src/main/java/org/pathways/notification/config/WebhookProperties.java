package org.pathways.notification.config;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How webhooks are delivered.
 *
 * @param allowPrivateAddresses accept endpoints on loopback, private, link-local and similar addresses (the devstack
 *                              and tests; never in production, where it would open the door to SSRF)
 * @param retrySchedule         the delay before each attempt, counted from the previous attempt (the first from the
 *                              event's arrival); its length is the number of attempts before a delivery is parked
 * @param jitter                up to this fraction of a delay is added at random, so retries do not stampede
 * @param maxRetryAfter         the longest {@code Retry-After} a receiver may ask for
 * @param connectTimeout        how long to wait for a connection
 * @param readTimeout           how long to wait for the response
 * @param pollInterval          how often the dispatcher checks whether a delivery it knows of is due
 * @param lease                 how long one instance holds a delivery it is attempting before another may take it
 * @param concurrency           how many attempts one instance makes at once, over all endpoints
 * @param perEndpointConcurrency how many attempts one instance makes at once to one endpoint (its bulkhead), so that a
 *                              slow endpoint holds at most this many of the {@code concurrency} slots
 * @param breaker               when an endpoint's circuit breaker opens, and for how long
 * @param secretGrace           how long the previous secret still signs after a rotation
 * @param secretKeys            the keys signing secrets are stored under, {@code <id>:<base64 of 32 bytes>}, the
 *                              current first, then previous ones still to be moved from (see
 *                              {@code subscription.SecretKeyRing}); none configured and the
 *                              service refuses to start
 * @param resealInterval        how often secrets sealed under a previous key are moved to the current one
 * @param fullPollInterval      how often the dispatcher searches for due deliveries that no one on this instance
 *                              announced (another instance died holding them); otherwise it searches only once
 *                              something it knows of is due
 */
@ConfigurationProperties("pathways.webhooks")
public record WebhookProperties(
        @DefaultValue("false") boolean allowPrivateAddresses,
        @DefaultValue({"0s", "5s", "5m", "30m", "2h", "5h", "10h", "10h"}) List<Duration> retrySchedule,
        @DefaultValue("0.1") double jitter,
        @DefaultValue("10h") Duration maxRetryAfter,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("5s") Duration readTimeout,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("60s") Duration lease,
        @DefaultValue("64") int concurrency,
        @DefaultValue("4") int perEndpointConcurrency,
        @DefaultValue Breaker breaker,
        @DefaultValue("24h") Duration secretGrace,
        @DefaultValue List<String> secretKeys,
        @DefaultValue("1h") Duration resealInterval,
        @DefaultValue("1m") Duration fullPollInterval) {

    /**
     * An endpoint's circuit breaker: over the last {@code window} attempts (once there are at least
     * {@code minimumCalls}), if {@code failureRate} percent or more failed, it opens for {@code openFor}; then one trial
     * attempt decides whether it closes again.
     */
    public record Breaker(@DefaultValue("10") int window, @DefaultValue("5") int minimumCalls,
                          @DefaultValue("50") float failureRate, @DefaultValue("30s") Duration openFor) {
        public Breaker {
            if (window < 1 || minimumCalls < 1 || failureRate <= 0 || failureRate > 100 || !openFor.isPositive()) {
                throw new IllegalArgumentException("pathways.webhooks.breaker needs a window and minimum-calls >= 1,"
                        + " a failure-rate in (0, 100] and a positive open-for");
            }
        }
    }

    public WebhookProperties {
        retrySchedule = List.copyOf(retrySchedule);
        if (retrySchedule.isEmpty() || retrySchedule.stream().anyMatch(Duration::isNegative)) {
            throw new IllegalArgumentException("pathways.webhooks.retry-schedule needs one or more delays >= 0");
        }
        if (jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("pathways.webhooks.jitter is a fraction between 0 and 1");
        }
        if (lease.compareTo(connectTimeout.plus(readTimeout)) <= 0) {
            throw new IllegalArgumentException("pathways.webhooks.lease must outlast one attempt's timeouts");
        }
        if (concurrency < 1 || perEndpointConcurrency < 1) {
            throw new IllegalArgumentException("pathways.webhooks.concurrency and per-endpoint-concurrency must be"
                    + " at least 1");
        }
        secretKeys = List.copyOf(secretKeys);
        if (secretGrace.isNegative()) {
            throw new IllegalArgumentException("pathways.webhooks.secret-grace must not be negative");
        }
    }
}
