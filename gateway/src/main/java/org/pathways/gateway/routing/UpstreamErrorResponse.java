package org.pathways.gateway.routing;

import java.util.function.Predicate;

import org.springframework.web.servlet.function.ServerResponse;

/**
 * A service's own 5xx answer counts as a failure of that service for the route's circuit breaker, although the
 * answer itself is passed on to the caller unchanged; a 4xx is the caller's and never counts. Named in gateway.yml
 * ({@code record-result-predicate}).
 */
public class UpstreamErrorResponse implements Predicate<Object> {

    @Override
    public boolean test(Object result) {
        return result instanceof ServerResponse response && response.statusCode().is5xxServerError();
    }
}
