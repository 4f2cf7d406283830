package org.pathways.messaging;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * W3C trace context for events. An event is published later, on another thread, than the request that caused it,
 * so the {@code traceparent} is captured when the event is written to the outbox: from the HTTP request (the
 * gateway sets one on every request), or from the event being consumed, or new. It travels as a Kafka header.
 */
public final class TraceContext {

    public static final String HEADER = "traceparent";
    private static final Pattern VALID = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final ThreadLocal<String> CONSUMING = new ThreadLocal<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    private TraceContext() {
    }

    /** A child of the current trace (same trace id, new span id), or a new trace. */
    public static String nextTraceparent() {
        String parent = current();
        String traceId = parent != null ? parent.substring(3, 35) : hex(16);
        return "00-" + traceId + "-" + hex(8) + "-01";
    }

    static String current() {
        String consuming = CONSUMING.get();
        if (consuming != null) {
            return consuming;
        }
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes instanceof ServletRequestAttributes servlet) {
            String header = servlet.getRequest().getHeader(HEADER);
            if (header != null && VALID.matcher(header).matches()) {
                return header;
            }
        }
        return null;
    }

    /** Runs {@code work} as part of the trace of a consumed event. */
    public static void whileConsuming(String traceparent, Runnable work) {
        String previous = CONSUMING.get();
        CONSUMING.set(traceparent != null && VALID.matcher(traceparent).matches() ? traceparent : null);
        try {
            work.run();
        } finally {
            if (previous == null) {
                CONSUMING.remove();
            } else {
                CONSUMING.set(previous);
            }
        }
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
