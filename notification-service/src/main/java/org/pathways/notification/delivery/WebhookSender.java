package org.pathways.notification.delivery;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import javax.net.ssl.SSLException;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.EmptyWebhookSecretException;
import com.standardwebhooks.exceptions.WebhookSigningException;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.notification.subscription.EndpointPolicy;
import org.pathways.notification.subscription.Subscription;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * Makes one attempt: POSTs a delivery's CloudEvent to its subscription's endpoint, signed the Standard Webhooks way
 * ({@code webhook-id} is the event id, {@code webhook-timestamp} the unix seconds of this attempt, and
 * {@code webhook-signature} {@code v1,} + base64 HMAC-SHA256 of {@code id.timestamp.body} under the subscription's
 * secret). Never throws for what the endpoint does: every answer or failure becomes an {@link AttemptOutcome}.
 */
@Component
class WebhookSender {

    static final String WEBHOOK_ID = "webhook-id";
    static final String WEBHOOK_TIMESTAMP = "webhook-timestamp";
    static final String WEBHOOK_SIGNATURE = "webhook-signature";
    private static final MediaType CLOUDEVENTS_JSON = MediaType.parseMediaType(CloudEventCodec.CONTENT_TYPE);

    private final RestClient client;
    private final EndpointPolicy endpoints;
    private final Clock clock;

    WebhookSender(RestClient webhookClient, EndpointPolicy endpoints, Clock clock) {
        this.client = webhookClient;
        this.endpoints = endpoints;
        this.clock = clock;
    }

    AttemptOutcome send(Delivery delivery, Subscription subscription) {
        long started = System.nanoTime();
        URI endpoint;
        try {
            endpoint = endpoints.check(subscription.url());
        } catch (EndpointPolicy.RejectedEndpoint e) {
            return AttemptOutcome.failed("endpoint-not-allowed", 0);
        }
        long timestamp = clock.instant().getEpochSecond();
        // During a rotation's grace period, one signature per secret, space-separated: the receiver accepts either.
        String signature = String.join(" ", subscription.signingSecrets(clock.instant()).stream()
                .map(secret -> sign(secret, delivery.eventId(), timestamp, delivery.body())).toList());
        try {
            return client.post().uri(endpoint)
                    .contentType(CLOUDEVENTS_JSON)
                    .header(WEBHOOK_ID, delivery.eventId())
                    .header(WEBHOOK_TIMESTAMP, Long.toString(timestamp))
                    .header(WEBHOOK_SIGNATURE, signature)
                    .header(HttpHeaders.USER_AGENT, "Pathways-Webhooks/1")
                    .body(delivery.body().getBytes(StandardCharsets.UTF_8))
                    .exchange((request, response) -> AttemptOutcome.answered(response.getStatusCode().value(),
                            millisSince(started), retryAfter(response.getHeaders())), true);
        } catch (ResourceAccessException e) {
            return AttemptOutcome.failed(kindOf(e.getCause()), millisSince(started));
        } catch (RuntimeException e) {
            return AttemptOutcome.failed("error:" + e.getClass().getSimpleName(), millisSince(started));
        }
    }

    static String sign(String secret, String id, long timestamp, String body) {
        try {
            return new Webhook(secret).sign(id, timestamp, body);
        } catch (EmptyWebhookSecretException | WebhookSigningException e) {
            throw new IllegalStateException("Cannot sign with this subscription's secret", e);
        }
    }

    /** {@code Retry-After} in seconds; the HTTP-date form and nonsense are ignored. */
    static Duration retryAfter(HttpHeaders headers) {
        String value = headers.getFirst(HttpHeaders.RETRY_AFTER);
        if (value == null || !value.trim().matches("[0-9]{1,9}")) {
            return null;
        }
        return Duration.ofSeconds(Long.parseLong(value.trim()));
    }

    private static String kindOf(Throwable cause) {
        return switch (cause) {
            case HttpConnectTimeoutException e -> "connect-timeout";
            case HttpTimeoutException e -> "read-timeout";
            case ConnectException e -> "connection-refused";
            case UnknownHostException e -> "unknown-host";
            case SSLException e -> "tls-error";
            case IOException e -> "io-error:" + e.getClass().getSimpleName();
            case null, default -> "error";
        };
    }

    private static long millisSince(long started) {
        return Duration.ofNanos(System.nanoTime() - started).toMillis();
    }
}
