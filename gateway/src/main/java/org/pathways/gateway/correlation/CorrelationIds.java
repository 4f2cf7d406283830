package org.pathways.gateway.correlation;

import java.io.IOException;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request a correlation id (kept if the caller sent a well-formed one), forwarded to the service and
 * returned to the caller, and tells the caller the request's trace: the {@code traceparent} of the gateway's server
 * span (Micrometer Tracing continues a caller's W3C {@code traceparent}, or starts a trace, and the proxy's client
 * observation hands it on to the service). Runs inside the server observation, so the span exists.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)   // after ServerHttpObservationFilter (HIGHEST_PRECEDENCE + 1)
public class CorrelationIds extends OncePerRequestFilter {

    public static final String HEADER = "X-Correlation-Id";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{8,64}");

    /**
     * Looked up at the first request and kept: each lookup through the bean factory was 3 % of the gateway's CPU (a
     * flight recording under 50 referrals a second).
     */
    private final Supplier<Tracer> tracer;
    private final Supplier<Propagator> propagator;

    public CorrelationIds(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        this.tracer = SingletonSupplier.of(() -> tracer.getIfAvailable(() -> Tracer.NOOP));
        this.propagator = SingletonSupplier.of(() -> propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String given = request.getHeader(HEADER);
        String correlationId = given != null && SAFE.matcher(given).matches() ? given : UUID.randomUUID().toString();
        response.setHeader(HEADER, correlationId);
        Span span = tracer.get().currentSpan();
        if (span != null && !span.isNoop()) {
            // The tracer's own propagator writes the W3C headers (traceparent, and tracestate when there is one).
            propagator.get().inject(span.context(), response, HttpServletResponse::setHeader);
        }
        MDC.put("correlationId", correlationId);
        try {
            chain.doFilter(new HttpServletRequestWrapper(request) {
                @Override
                public String getHeader(String name) {
                    return HEADER.equalsIgnoreCase(name) ? correlationId : super.getHeader(name);
                }

                @Override
                public java.util.Enumeration<String> getHeaders(String name) {
                    if (HEADER.equalsIgnoreCase(name)) {
                        return java.util.Collections.enumeration(java.util.List.of(correlationId));
                    }
                    return super.getHeaders(name);
                }

                @Override
                public java.util.Enumeration<String> getHeaderNames() {
                    java.util.Set<String> names = new java.util.LinkedHashSet<>(
                            java.util.Collections.list(super.getHeaderNames()));
                    names.add(HEADER);
                    return java.util.Collections.enumeration(names);
                }
            }, response);
        } finally {
            MDC.remove("correlationId");
        }
    }
}
