package org.pathways.notification.delivery;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.EmptyWebhookSecretException;
import com.standardwebhooks.exceptions.WebhookSigningException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.notification.subscription.EndpointPolicy;
import org.pathways.notification.subscription.SecretKeyRing;
import org.pathways.notification.subscription.Subscription;
import org.pathways.notification.fhir.RestHookNotifications;
import org.pathways.messaging.tracing.TraceContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Makes one attempt: POSTs a delivery's CloudEvent to its subscription's endpoint, signed the Standard Webhooks way
 * ({@code webhook-id} is the event id, {@code webhook-timestamp} the unix seconds of this attempt, and
 * {@code webhook-signature} {@code v1,} + base64 HMAC-SHA256 of {@code id.timestamp.body} under the subscription's
 * secret). Never throws for what the endpoint does: every answer or failure becomes an {@link AttemptOutcome}.
 *
 * <p>The client's only DNS lookup is {@link EndpointPolicy#addressesFor} (its {@code Dns}), so the SSRF check runs on
 * the addresses actually connected to; TLS still verifies the endpoint's host name. A host that is an IP literal
 * (which the client connects to without a lookup) is checked here first.
 */
@Component
public class WebhookSender {

    static final String WEBHOOK_ID = "webhook-id";
    static final String WEBHOOK_TIMESTAMP = "webhook-timestamp";
    static final String WEBHOOK_SIGNATURE = "webhook-signature";
    /** The recorded error of an attempt the endpoint policy refused (nothing was sent). */
    static final String NOT_ALLOWED = "endpoint-not-allowed";
    /** The recorded error of an attempt whose secret could not be opened (its key is not configured). */
    static final String SECRET_UNAVAILABLE = "secret-unavailable";
    /** What the client takes for an IP literal (and connects to without a DNS lookup). */
    private static final Pattern IP_LITERAL = Pattern.compile("\\[?([0-9a-fA-F]*:[0-9a-fA-F:.]*|[0-9.]+)]?");
    private static final MediaType CLOUDEVENTS_JSON = MediaType.get(CloudEventCodec.CONTENT_TYPE);
    private static final MediaType FHIR_JSON = MediaType.get(RestHookNotifications.FHIR_JSON);
    private static final tools.jackson.databind.json.JsonMapper RESOURCE_JSON =
            tools.jackson.databind.json.JsonMapper.builder().build();

    private final OkHttpClient client;
    private final EndpointPolicy endpoints;
    private final Clock clock;
    private final SecretKeyRing keys;
    private final TraceContext tracing;

    @org.springframework.beans.factory.annotation.Autowired
    WebhookSender(OkHttpClient webhookClient, EndpointPolicy endpoints, Clock clock, SecretKeyRing keys,
                  ObjectProvider<TraceContext> tracing) {
        this(webhookClient, endpoints, clock, keys, tracing.getIfAvailable(() -> TraceContext.NONE));
    }

    WebhookSender(OkHttpClient webhookClient, EndpointPolicy endpoints, Clock clock, SecretKeyRing keys) {
        this(webhookClient, endpoints, clock, keys, TraceContext.NONE);
    }

    private WebhookSender(OkHttpClient webhookClient, EndpointPolicy endpoints, Clock clock, SecretKeyRing keys,
                          TraceContext tracing) {
        this.keys = keys;
        this.tracing = tracing;
        this.client = webhookClient;
        this.endpoints = endpoints;
        this.clock = clock;
    }

    /**
     * One attempt, as a client span in the trace of the event that caused the delivery; the endpoint receives that
     * span's {@code traceparent}, so an agency's own tracing can join the handoff's trace.
     */
    AttemptOutcome send(Delivery delivery, Subscription subscription) {
        return tracing.inSpan("webhook " + (subscription.restHook() != null ? "rest-hook" : "POST"),
                io.micrometer.tracing.Span.Kind.CLIENT, delivery.traceparent(), java.util.Map.of(
                        "pathways.delivery.id", delivery.id(), "pathways.subscription.id", subscription.id(),
                        "cloudevents.event_type", String.valueOf(delivery.eventType())),
                () -> attempt(delivery, subscription, tracing.current()));
    }

    private AttemptOutcome attempt(Delivery delivery, Subscription subscription, String traceparent) {
        long started = System.nanoTime();
        URI endpoint;
        try {
            endpoint = endpoints.parse(subscription.url());
            if (subscription.restHook() != null && !delivery.body().isEmpty()) {
                // R4 rest-hook with a payload: the endpoint is the receiver's FHIR base, the resource is PUT to it.
                endpoint = endpoints.parse(subscription.url().replaceFirst("/+$", "") + "/"
                        + RestHookNotifications.resourcePath(subscription.restHook(), subjectOf(delivery)));
            }
            if (IP_LITERAL.matcher(endpoint.getHost()).matches()) {
                endpoints.addressesFor(endpoint.getHost());
            }
        } catch (EndpointPolicy.RejectedEndpoint e) {
            return AttemptOutcome.failed(NOT_ALLOWED, 0);
        } catch (UnknownHostException e) {
            return AttemptOutcome.failed(kindOf(e), 0);
        }
        if (subscription.restHook() != null) {
            return sendRestHook(delivery, subscription, endpoint, started, traceparent);
        }
        long timestamp = clock.instant().getEpochSecond();
        // During a rotation's grace period, one signature per secret, space-separated: the receiver accepts either.
        String signature;
        try {
            signature = String.join(" ", subscription.signingSecrets(clock.instant(), keys).stream()
                    .map(secret -> sign(secret, delivery.eventId(), timestamp, delivery.body())).toList());
        } catch (IllegalStateException e) {
            // Its key is missing from the configuration: nothing is sent unsigned; retried, then parked.
            return AttemptOutcome.failed(SECRET_UNAVAILABLE, 0);
        }
        Request request;
        try {
            request = traced(new Request.Builder(), traceparent).url(endpoint.toURL())
                    .header(WEBHOOK_ID, delivery.eventId())
                    .header(WEBHOOK_TIMESTAMP, Long.toString(timestamp))
                    .header(WEBHOOK_SIGNATURE, signature)
                    .header("User-Agent", "Pathways-Webhooks/1")
                    .post(RequestBody.create(delivery.body().getBytes(StandardCharsets.UTF_8), CLOUDEVENTS_JSON))
                    .build();
        } catch (IOException | IllegalArgumentException e) {
            return AttemptOutcome.failed(NOT_ALLOWED, 0);
        }
        try (Response response = client.newCall(request).execute()) {
            return AttemptOutcome.answered(response.code(), millisSince(started), retryAfter(
                    response.header("Retry-After")));
        } catch (IOException e) {
            return AttemptOutcome.failed(kindOf(e), millisSince(started));
        } catch (RuntimeException e) {
            return AttemptOutcome.failed("error:" + e.getClass().getSimpleName(), millisSince(started));
        }
    }

    /**
     * A FHIR R4 rest-hook notification: with a payload, a PUT of the resource ({@code application/fhir+json}) to
     * {@code <endpoint>/<Type>/<id>}; without, a POST of an empty body to the endpoint. The channel's headers
     * (typically the receiver's {@code Authorization}) are added; there is no Standard Webhooks signature.
     */
    private AttemptOutcome sendRestHook(Delivery delivery, Subscription subscription, URI endpoint, long started,
                                        String traceparent) {
        Request request;
        try {
            Request.Builder builder = traced(new Request.Builder(), traceparent).url(endpoint.toURL())
                    .header("User-Agent", "Pathways-Webhooks/1");
            for (String line : subscription.restHook().headerLines(keys)) {
                int colon = line.indexOf(':');
                builder.addHeader(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
            request = delivery.body().isEmpty()
                    ? builder.post(RequestBody.create(new byte[0], null)).build()
                    : builder.put(RequestBody.create(delivery.body().getBytes(StandardCharsets.UTF_8), FHIR_JSON))
                            .build();
        } catch (IllegalStateException e) {
            return AttemptOutcome.failed(SECRET_UNAVAILABLE, 0);
        } catch (IOException | IllegalArgumentException e) {
            return AttemptOutcome.failed(NOT_ALLOWED, 0);
        }
        try (Response response = client.newCall(request).execute()) {
            return AttemptOutcome.answered(response.code(), millisSince(started), retryAfter(
                    response.header("Retry-After")));
        } catch (IOException e) {
            return AttemptOutcome.failed(kindOf(e), millisSince(started));
        } catch (RuntimeException e) {
            return AttemptOutcome.failed("error:" + e.getClass().getSimpleName(), millisSince(started));
        }
    }

    private static Request.Builder traced(Request.Builder request, String traceparent) {
        return traceparent == null ? request : request.header(TraceContext.HEADER, traceparent);
    }

    /** The referral a rest-hook delivery is about: the id of the resource it carries. */
    private static String subjectOf(Delivery delivery) {
        return RESOURCE_JSON.readTree(delivery.body()).path("id").asString();
    }

    /**
     * The webhook client. Its only DNS lookup is the endpoint policy's, so every connection goes to an address that
     * passed the SSRF check (no DNS rebinding in between); no proxy (a proxy would resolve the host itself); never
     * follows redirects (a redirect could lead where the policy would refuse); never retries on its own (the retry
     * schedule does); and a whole call ends within connect + read timeout, which the lease outlasts, so a delivery is
     * never attempted twice at once.
     */
    public static OkHttpClient client(EndpointPolicy endpoints, Duration connectTimeout, Duration readTimeout) {
        return new OkHttpClient.Builder()
                .dns(endpoints::addressesFor)
                .proxy(Proxy.NO_PROXY)
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .connectTimeout(connectTimeout)
                .readTimeout(readTimeout)
                .writeTimeout(readTimeout)
                .callTimeout(connectTimeout.plus(readTimeout))
                .build();
    }

    static String sign(String secret, String id, long timestamp, String body) {
        try {
            return new Webhook(secret).sign(id, timestamp, body);
        } catch (EmptyWebhookSecretException | WebhookSigningException e) {
            throw new IllegalStateException("Cannot sign with this subscription's secret", e);
        }
    }

    /** {@code Retry-After} in seconds; the HTTP-date form and nonsense are ignored. */
    static Duration retryAfter(String value) {
        if (value == null || !value.trim().matches("[0-9]{1,9}")) {
            return null;
        }
        return Duration.ofSeconds(Long.parseLong(value.trim()));
    }

    /** The kind of failure, never its message (which may name the endpoint). */
    static String kindOf(IOException cause) {
        return switch (cause) {
            case EndpointPolicy.RefusedAddress e -> NOT_ALLOWED + ":non-public-address";
            case UnknownHostException e -> "unknown-host";
            case SocketTimeoutException e when e.getMessage() != null && e.getMessage().startsWith("connect") ->
                    "connect-timeout";
            case InterruptedIOException e -> "read-timeout";
            case ConnectException e -> "connection-refused";
            case SSLException e -> "tls-error";
            default -> "io-error:" + cause.getClass().getSimpleName();
        };
    }

    private static long millisSince(long started) {
        return Duration.ofNanos(System.nanoTime() - started).toMillis();
    }
}
