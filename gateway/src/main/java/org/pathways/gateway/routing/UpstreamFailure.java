package org.pathways.gateway.routing;

import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.springframework.cloud.gateway.server.mvc.filter.CircuitBreakerFilterFunctions.CircuitBreakerStatusCodeException;

/**
 * What a route's circuit breaker counts as a failure of the service behind it: it could not be reached (refused,
 * reset: an {@link IOException} anywhere in the causes) or did not answer in time. Anything else that goes wrong
 * while a request is forwarded says nothing about the service's health (a caller's malformed request, say): it
 * never opens the breaker, so one caller's bad requests never make the route unavailable to every other agency.
 * Named in gateway.yml ({@code record-failure-predicate}); the service's own 5xx answers are counted by
 * {@link UpstreamErrorResponse}.
 */
public class UpstreamFailure implements Predicate<Throwable> {

    @Override
    public boolean test(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException || cause instanceof TimeoutException
                    || cause instanceof CircuitBreakerStatusCodeException) {
                return true;
            }
        }
        return false;
    }
}
