package org.pathways.platform.audit;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.platform.validation.ResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Records every authenticated write (POST, PUT, PATCH, DELETE) and every call to a {@link PersonalDataRead} method,
 * with its outcome. A write is recorded once the handler has answered, on the request's own thread: the exchange
 * ends only after the insert, so each audited request costs one more MongoDB round trip; a failure to write it is
 * logged (without personal data) and never turns a done change into an error. A read that answers personal data is
 * recorded before its body is written ({@link PersonalDataReadAudit}, failing closed) and not again here.
 */
public class AuditInterceptor implements HandlerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(AuditInterceptor.class);
    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
    static final String CORRELATION_HEADER = "X-Correlation-Id";
    private static final String RECORDED = AuditInterceptor.class.getName() + ".recorded";

    private final AuditTrail trail;
    private final String service;
    private final Clock clock;

    public AuditInterceptor(AuditTrail trail, String service, Clock clock) {
        this.trail = trail;
        this.service = service;
        this.clock = clock;
    }

    /**
     * Records a {@link PersonalDataRead} answer before it is written, with the status it is about to have; throws
     * if the record cannot be stored (the caller must then not answer the data).
     */
    void recordBeforeAnswer(HttpServletRequest request, int status, String purpose) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !(authentication.getPrincipal() instanceof Jwt jwt)) {
            throw new IllegalStateException("An answer of personal data to an unauthenticated request");
        }
        boolean write = WRITES.contains(request.getMethod());
        trail.record(record(request, Caller.from(jwt), write, purpose, status));
        request.setAttribute(RECORDED, Boolean.TRUE);
    }

    private AuditRecord record(HttpServletRequest request, Caller caller, boolean write, String purpose,
                               int status) {
        return new AuditRecord(UUID.randomUUID().toString(), clock.instant(), service,
                write ? AuditRecord.Kind.WRITE : AuditRecord.Kind.PERSONAL_DATA_READ, caller.userId(),
                caller.agencyId(), caller.roles().stream().map(Role::name).sorted().toList(), request.getMethod(),
                route(request), ids(request), purpose, status, correlationId(request));
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
                                Exception ex) {
        if (!(handler instanceof HandlerMethod method)) {
            return;
        }
        PersonalDataRead read = method.getMethodAnnotation(PersonalDataRead.class);
        boolean write = WRITES.contains(request.getMethod());
        if ((!write && read == null) || Boolean.TRUE.equals(request.getAttribute(RECORDED))) {
            return;
        }
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !(authentication.getPrincipal() instanceof Jwt jwt)) {
            return; // refused before it reached the handler: nothing was read or written
        }
        AuditRecord record = record(request, Caller.from(jwt), write, read == null ? null : read.value(),
                status(response, ex));
        try {
            trail.record(record);
        } catch (RuntimeException failure) {
            log.error("Could not record the audit entry of {} {} (correlation id {}): {}", record.method(),
                    record.route(), record.correlationId(), failure.getClass().getSimpleName());
        }
    }

    private static String route(HttpServletRequest request) {
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        return pattern == null ? request.getRequestURI() : pattern.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> ids(HttpServletRequest request) {
        Object variables = request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        Map<String, String> ids = new LinkedHashMap<>();
        if (variables instanceof Map<?, ?> map) {
            ((Map<String, String>) map).forEach((name, value) ->
                    ids.put(name, value != null && ResourceId.FORMAT.matcher(value).matches() ? value : "(not an id)"));
        }
        return ids;
    }

    private static int status(HttpServletResponse response, Exception ex) {
        return ex != null && response.getStatus() < 400 ? 500 : response.getStatus();
    }

    private static String correlationId(HttpServletRequest request) {
        String given = request.getHeader(CORRELATION_HEADER);
        // A correlation id from outside (the gateway's are UUIDs) must look like an id; anything else is replaced.
        if (given != null && ResourceId.FORMAT.matcher(given).matches()) {
            return given;
        }
        String traceparent = request.getHeader("traceparent");
        if (traceparent != null && traceparent.matches("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")) {
            return traceparent.substring(3, 35);
        }
        return "none";
    }
}
