package org.pathways.messaging.tracing;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

/**
 * W3C trace context across the event path, on Micrometer Tracing (the OpenTelemetry bridge). An event is published
 * later, on another thread, than the request that caused it, so the context is captured when the event is written to
 * the outbox ({@link #current()}: the HTTP request's server span, or the span of the event being consumed) and kept
 * with it; the relay's producer span continues it and puts its own {@code traceparent} on the Kafka record; the
 * consumer's span continues that, and whatever its handler writes or sends (events, webhooks) carries it on.
 *
 * <p>One per application (its {@link Tracer} names the service in every span); {@link #NONE} where tracing is off.
 */
public final class TraceContext {

    public static final String HEADER = "traceparent";
    private static final Pattern VALID = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    /** No tracing: nothing captured, spans are no-ops. */
    public static final TraceContext NONE = new TraceContext(Tracer.NOOP, Propagator.NOOP);

    private final Tracer tracer;
    private final Propagator propagator;

    public TraceContext(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** The {@code traceparent} of the current span, or null outside any trace. */
    public String current() {
        Span span = tracer.currentSpan();
        return span == null ? null : traceparentOf(span);
    }

    /**
     * Runs {@code work} in a new span of {@code kind} named {@code name}, the child of {@code traceparent} (a new trace
     * if it is missing or malformed); the span records a failure and always ends.
     */
    public <T> T inSpan(String name, Span.Kind kind, String traceparent, Map<String, String> tags, Supplier<T> work) {
        Span span = start(name, kind, traceparent);
        tags.forEach(span::tag);
        try (Tracer.SpanInScope scope = tracer.withSpan(span)) {
            return work.get();
        } catch (RuntimeException | Error failure) {
            span.error(failure);
            throw failure;
        } finally {
            span.end();
        }
    }

    /** Like {@link #inSpan(String, Span.Kind, String, Map, Supplier)}, for work with no result. */
    public void inSpan(String name, Span.Kind kind, String traceparent, Map<String, String> tags, Runnable work) {
        inSpan(name, kind, traceparent, tags, () -> {
            work.run();
            return null;
        });
    }

    private Span start(String name, Span.Kind kind, String traceparent) {
        Span.Builder builder;
        if (traceparent != null && VALID.matcher(traceparent).matches()) {
            builder = propagator.extract(Map.of(HEADER, traceparent), (carrier, key) -> carrier.get(key));
        } else {
            builder = tracer.spanBuilder().setNoParent();
        }
        return builder.name(name).kind(kind).start();
    }

    private String traceparentOf(Span span) {
        Map<String, String> carrier = new HashMap<>();
        propagator.inject(span.context(), carrier, Map::put);
        String traceparent = carrier.get(HEADER);
        return traceparent != null && VALID.matcher(traceparent).matches() ? traceparent : null;
    }
}
