package org.pathways.gateway.correlation;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request a correlation id (kept if the caller sent a well-formed one) and a W3C {@code traceparent},
 * forwarded to the service and returned to the caller. Services copy the trace into the events a request causes.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class CorrelationIds extends OncePerRequestFilter {

    public static final String HEADER = "X-Correlation-Id";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{8,64}");
    private static final Pattern TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String given = request.getHeader(HEADER);
        String correlationId = given != null && SAFE.matcher(given).matches() ? given : UUID.randomUUID().toString();
        String givenTrace = request.getHeader("traceparent");
        String traceparent = givenTrace != null && TRACEPARENT.matcher(givenTrace).matches() ? givenTrace
                : "00-" + hex(16) + "-" + hex(8) + "-01";
        response.setHeader(HEADER, correlationId);
        response.setHeader("traceparent", traceparent);
        MDC.put("correlationId", correlationId);
        try {
            chain.doFilter(new HttpServletRequestWrapper(request) {
                @Override
                public String getHeader(String name) {
                    if (HEADER.equalsIgnoreCase(name)) {
                        return correlationId;
                    }
                    if ("traceparent".equalsIgnoreCase(name)) {
                        return traceparent;
                    }
                    return super.getHeader(name);
                }

                @Override
                public java.util.Enumeration<String> getHeaders(String name) {
                    if (HEADER.equalsIgnoreCase(name) || "traceparent".equalsIgnoreCase(name)) {
                        return java.util.Collections.enumeration(java.util.List.of(getHeader(name)));
                    }
                    return super.getHeaders(name);
                }

                @Override
                public java.util.Enumeration<String> getHeaderNames() {
                    java.util.Set<String> names = new java.util.LinkedHashSet<>(
                            java.util.Collections.list(super.getHeaderNames()));
                    names.add(HEADER);
                    names.add("traceparent");
                    return java.util.Collections.enumeration(names);
                }
            }, response);
        } finally {
            MDC.remove("correlationId");
        }
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
