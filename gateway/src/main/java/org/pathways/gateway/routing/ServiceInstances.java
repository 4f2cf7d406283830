package org.pathways.gateway.routing;

import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.server.mvc.common.MvcUtils;
import org.springframework.web.servlet.function.HandlerFilterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The instances of one service a route forwards to ({@code pathways.gateway.routes.<name>}: one URL, or several
 * separated by commas), taken in turn (round robin). A request that cannot connect to an instance (connection
 * refused: nothing was sent, so nothing can have happened there) goes on to the next one, so that requests keep
 * succeeding while one instance is stopped or restarting. Any other failure (a reset or a timeout once the request
 * was sent) is not retried: the instance may have acted on it.
 */
final class ServiceInstances {

    private static final Logger log = LoggerFactory.getLogger(ServiceInstances.class);

    private final List<URI> instances;
    private final AtomicInteger next = new AtomicInteger();

    ServiceInstances(List<URI> instances) {
        if (instances == null || instances.isEmpty()) {
            throw new IllegalArgumentException("A route needs at least one instance URL");
        }
        this.instances = List.copyOf(instances);
    }

    List<URI> instances() {
        return instances;
    }

    /** Sets the instance a request goes to (instead of {@code uri(...)}), and moves on when it refuses the connection. */
    HandlerFilterFunction<ServerResponse, ServerResponse> forward() {
        return (request, handler) -> {
            int first = Math.floorMod(next.getAndIncrement(), instances.size());
            for (int attempt = 0; ; attempt++) {
                URI instance = instances.get((first + attempt) % instances.size());
                MvcUtils.setRequestUrl(request, instance);
                try {
                    return handler.handle(request);
                } catch (Exception failure) {
                    if (attempt + 1 >= instances.size() || !refusedConnection(failure)) {
                        throw failure;
                    }
                    log.debug("{} refused the connection; trying the next instance", instance);
                }
            }
        };
    }

    private static boolean refusedConnection(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }
}
