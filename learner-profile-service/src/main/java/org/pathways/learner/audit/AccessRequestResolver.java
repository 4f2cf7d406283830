package org.pathways.learner.audit;

import java.util.List;

import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.validation.ResourceId;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.stereotype.Component;

/** Resolves {@link AccessRequest} from the request headers; a malformed header is a 400, never stored. */
@Component
class AccessRequestResolver implements HandlerMethodArgumentResolver, WebMvcConfigurer {

    static final String PURPOSE_HEADER = "X-Access-Purpose";
    static final String CORRELATION_HEADER = "X-Correlation-Id";

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(this);
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == AccessRequest.class;
    }

    @Override
    public AccessRequest resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
                                         NativeWebRequest request, WebDataBinderFactory binderFactory) {
        String purpose = request.getHeader(PURPOSE_HEADER);
        String correlationId = request.getHeader(CORRELATION_HEADER);
        AccessPurpose accessPurpose = AccessPurpose.CASE_WORK;
        if (purpose != null) {
            try {
                accessPurpose = AccessPurpose.valueOf(purpose.strip());
            } catch (IllegalArgumentException e) {
                throw new ProblemException(HttpStatus.BAD_REQUEST, "validation",
                        PURPOSE_HEADER + " must be one of " + List.of(AccessPurpose.values()) + ".");
            }
        }
        if (correlationId != null && !ResourceId.FORMAT.matcher(correlationId).matches()) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "validation",
                    CORRELATION_HEADER + " must be an id of up to 64 letters, digits and . _ : -");
        }
        return new AccessRequest(accessPurpose, correlationId);
    }
}
