package org.pathways.platform.audit;

import java.util.function.Supplier;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Audited reads fail closed: the answer of a {@link PersonalDataRead} method is recorded in the audit trail just
 * before its body is written, and if the record cannot be stored the caller gets a {@code 503} problem
 * ({@code audit-unavailable}) instead of the data. Nothing personal leaves unrecorded. A refusal (404, 403…) carries
 * no personal data and is recorded afterwards by {@link AuditInterceptor} as before.
 */
@ControllerAdvice
public class PersonalDataReadAudit implements ResponseBodyAdvice<Object> {

    /**
     * Looked up at the first answer and kept (each lookup through the bean factory, twice per answer, was 1.6 % of the
     * referral-service's CPU under load); {@code null} where the audit trail is off (or there is no store).
     */
    private final Supplier<AuditInterceptor> interceptor;

    /** Takes the interceptor lazily: where the audit trail is off (or there is no store) this advice does nothing. */
    public PersonalDataReadAudit(ObjectProvider<AuditInterceptor> interceptor) {
        this.interceptor = SingletonSupplier.of(interceptor::getIfAvailable);
    }

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return returnType.hasMethodAnnotation(PersonalDataRead.class) && interceptor.get() != null;
    }

    @Override
    public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType contentType,
                                  Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request,
                                  ServerHttpResponse response) {
        if (!(request instanceof ServletServerHttpRequest servletRequest)
                || !(response instanceof ServletServerHttpResponse servletResponse)) {
            throw AuditUnavailable.problem();
        }
        HttpServletRequest httpRequest = servletRequest.getServletRequest();
        PersonalDataRead read = returnType.getMethodAnnotation(PersonalDataRead.class);
        try {
            interceptor.get().recordBeforeAnswer(httpRequest, servletResponse.getServletResponse().getStatus(),
                    read.value());
        } catch (RuntimeException failure) {
            throw AuditUnavailable.problem();
        }
        return body;
    }
}
