package org.pathways.notification.delivery;

import java.time.Duration;

/**
 * What one POST to an endpoint came to: the status code it answered, or the error that stopped it (a kind such as
 * {@code connect-timeout}, never the endpoint or a message that might carry it).
 *
 * @param retryAfter the answer's {@code Retry-After}, or null
 */
public record AttemptOutcome(Integer statusCode, String error, long latencyMs, Duration retryAfter) {

    public static AttemptOutcome answered(int statusCode, long latencyMs, Duration retryAfter) {
        return new AttemptOutcome(statusCode, null, latencyMs, retryAfter);
    }

    public static AttemptOutcome failed(String error, long latencyMs) {
        return new AttemptOutcome(null, error, latencyMs, null);
    }

    public boolean acknowledged() {
        return statusCode != null && statusCode >= 200 && statusCode < 300;
    }

    /** 410 Gone: the receiver asks us to stop sending to this endpoint for good. */
    public boolean gone() {
        return statusCode != null && statusCode == 410;
    }
}
