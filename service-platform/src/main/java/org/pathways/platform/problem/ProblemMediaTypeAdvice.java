package org.pathways.platform.problem;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * {@code application/problem+json} labels problems only. A client that accepts it (as well as, or instead of,
 * {@code application/json}) got its {@code 200} answers labelled as problems too, since the JSON converter writes any
 * {@code application/*+json} the client names: such an answer is labelled {@code application/json} instead.
 */
@ControllerAdvice
class ProblemMediaTypeAdvice implements ResponseBodyAdvice<Object> {

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType selectedContentType,
            Class<? extends HttpMessageConverter<?>> selectedConverterType, ServerHttpRequest request,
            ServerHttpResponse response) {
        if (MediaType.APPLICATION_PROBLEM_JSON.equalsTypeAndSubtype(selectedContentType)
                && !(body instanceof ProblemDetail)) {
            response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        }
        return body;
    }
}
