package org.pathways.gateway.routing;

import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.preserveHostHeader;
import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.setPath;
import static org.springframework.cloud.gateway.server.mvc.filter.CircuitBreakerFilterFunctions.circuitBreaker;
import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;
import static org.springframework.web.servlet.function.RequestPredicates.path;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.server.mvc.common.MvcUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

import org.pathways.gateway.GatewayPaths;
import org.pathways.gateway.protection.ClientRateLimit;
import org.pathways.platform.problem.ProblemResponses;

/**
 * One route per service, each behind its own circuit breaker: when a service is down the gateway answers at once
 * with a 503 problem and a Retry-After, instead of hanging. A request that finds the route's bulkhead full (Spring
 * Cloud CircuitBreaker's default thread pool, one thread per core and 100 waiting) is shed at once with a 503
 * {@code service-busy} problem and {@code Retry-After: 1}. A breaker counts only the service's own failures
 * (refused or reset connections, timeouts, its 5xx answers: {@link UpstreamFailure}, {@link UpstreamErrorResponse}
 * in gateway.yml), never a caller's bad request, so that one agency's hostile requests cannot open the route for
 * every other agency.
 */
@Configuration
class GatewayRoutes {

    private static final Logger log = LoggerFactory.getLogger(GatewayRoutes.class);
    private static final UpstreamFailure UPSTREAM_FAILURE = new UpstreamFailure();

    @Bean
    RouterFunction<ServerResponse> serviceRoutes(RouteTargets routeTargets, ClientRateLimit rateLimit) {
        var targets = new Targets(routeTargets);
        return service("learners", targets.learners(), "/api/learners/**", "/api/learners")
                .and(service("opportunities", targets.opportunities(), "/api/opportunities/**", "/api/opportunities"))
                .and(service("agencies", targets.opportunities(), "/api/agencies/**", "/api/agencies"))
                .and(service("referrals", targets.referrals(), "/api/referrals/**", "/api/referrals"))
                .and(service("subscriptions", targets.notifications(), "/api/subscriptions/**", "/api/subscriptions"))
                // FHIR R4: Subscription resources are the notification-service's, every other one the referrals'.
                .and(service("fhir-subscriptions", targets.notifications(), "/api/fhir/r4/Subscription/**",
                        "/api/fhir/r4/Subscription"))
                .and(service("fhir", targets.referrals(), "/api/fhir/**", "/api/fhir"))
                .and(service("deliveries", targets.notifications(), "/api/deliveries/**", "/api/deliveries"))
                .and(service("notifications", targets.notifications(), "/api/notifications/**", "/api/notifications"))
                .and(service("feed", targets.notifications(), "/api/feed/**", "/api/feed"))
                .and(service("agency-settings", targets.notifications(), "/api/agency-settings/**",
                        "/api/agency-settings"))
                .and(service("matches", targets.opportunities(), "/api/matches/**", "/api/matches"))
                .and(service("pathways", targets.opportunities(), "/api/pathways/**", "/api/pathways"))
                .and(service("hsds", targets.opportunities(), "/api/hsds/**", "/api/hsds"))
                .and(service("progression", targets.progression(), "/api/progression/**", "/api/progression"))
                // Each service's dead letters, for platform administrators: one prefix per service, by its name.
                .and(deadLetters("learner-profile-service", targets.learners()))
                .and(deadLetters("opportunity-catalogue-service", targets.opportunities()))
                .and(deadLetters("referral-service", targets.referrals()))
                .and(deadLetters("notification-service", targets.notifications()))
                .and(deadLetters("progression-service", targets.progression()))
                .and(apiDocument("learner-profile-service", targets.learners()))
                .and(apiDocument("opportunity-catalogue-service", targets.opportunities()))
                .and(apiDocument("referral-service", targets.referrals()))
                .and(apiDocument("notification-service", targets.notifications()))
                .and(apiDocument("progression-service", targets.progression()))
                .and(webApp(targets.web()))
                .filter(rateLimit);
    }

    /**
     * {@code /api/dead-letters/<service>/**}, served by that service itself (reliable-messaging's
     * {@code DeadLetterController}), behind the service's own breaker.
     */
    private static RouterFunction<ServerResponse> deadLetters(String service, ServiceInstances target) {
        String prefix = "/api/dead-letters/" + service;
        return service("dead-letters-" + service, target, prefix + "/**", prefix);
    }

    /**
     * A service's own OpenAPI document ({@code /v3/api-docs} there) at {@code /v3/api-docs/<service>} here, which
     * the Swagger UI page lists (springdoc.swagger-ui.urls in gateway.yml). Open without a token, like the
     * service's own.
     */
    private static RouterFunction<ServerResponse> apiDocument(String service, ServiceInstances target) {
        return route("api-docs-" + service)
                .route(path("/v3/api-docs/" + service), http())
                .before(setPath("/v3/api-docs"))
                .filter(circuitBreaker(config -> config.setId(service + "-api-docs")
                        // under the open documentation paths, so the fallback needs no token either
                        .setFallbackPath("/v3/api-docs/unavailable/" + service)))
                .filter(target.forward())
                .build();
    }

    /**
     * Everything that is not the API, its documentation, the actuator or the gateway's own fallbacks is the web app's
     * ({@link GatewayPaths#WEB_APP}). The browser's Host header is kept, so that the web app builds its links and its
     * sign-in callback on the gateway's address, the only one the browser knows.
     */
    private static RouterFunction<ServerResponse> webApp(ServiceInstances target) {
        return route("web")
                .route(request -> GatewayPaths.WEB_APP.matches(request.servletRequest()), http())
                .before(preserveHostHeader())
                .filter(circuitBreaker(config -> config.setId("web").setFallbackPath("/unavailable/web")))
                .filter(target.forward())
                .build();
    }

    private static RouterFunction<ServerResponse> service(String id, ServiceInstances target, String... paths) {
        var predicate = path(paths[0]);
        for (int i = 1; i < paths.length; i++) {
            predicate = predicate.or(path(paths[i]));
        }
        return route(id)
                .route(predicate, http())
                .filter(circuitBreaker(config -> config.setId(id).setFallbackPath("/unavailable/" + id)))
                .filter(target.forward())
                .build();
    }

    /**
     * One round robin per service, shared by all of its routes. The breaker wraps the whole turn, so it counts a
     * failure only when no instance could take the request.
     */
    private record Targets(ServiceInstances learners, ServiceInstances opportunities, ServiceInstances referrals,
                           ServiceInstances notifications, ServiceInstances progression, ServiceInstances web) {

        Targets(RouteTargets routes) {
            this(new ServiceInstances(routes.learners()), new ServiceInstances(routes.opportunities()),
                    new ServiceInstances(routes.referrals()), new ServiceInstances(routes.notifications()),
                    new ServiceInstances(routes.progression()), new ServiceInstances(routes.web()));
        }
    }

    @Bean
    RouterFunction<ServerResponse> unavailable() {
        return RouterFunctions.route()
                .route(path("/unavailable/{service:[a-z-]+}")
                        .or(path("/v3/api-docs/unavailable/{service:[a-z-]+}")), request -> {
                    Object failure = request.attribute(MvcUtils.CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR).orElse(null);
                    if (failure instanceof BulkheadFullException) {
                        // Shedding load: the route forwards as many requests at once as it may. Nothing was sent to
                        // the service, so the caller can simply try again in a moment.
                        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                                "The " + request.pathVariable("service") + " service has as many requests as it can"
                                        + " take right now; nothing was changed. Try again in a moment.");
                        problem.setType(ProblemResponses.type("service-busy"));
                        return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                                .header("Retry-After", "1")
                                .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                                .body(problem);
                    }
                    if (failure instanceof Throwable thrown && !(thrown instanceof CallNotPermittedException)
                            && !UPSTREAM_FAILURE.test(thrown)) {
                        // Not the service's failure (and not counted by the breaker): not "try again shortly".
                        log.warn("Forwarding to {} failed: {}", request.pathVariable("service"), thrown.toString());
                        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                                "Something went wrong on our side; nothing was changed by a partial write.");
                        problem.setType(ProblemResponses.type("internal"));
                        return ServerResponse.status(HttpStatus.INTERNAL_SERVER_ERROR)
                                .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                                .body(problem);
                    }
                    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                            "The " + request.pathVariable("service") + " service is not answering; try again shortly.");
                    problem.setType(ProblemResponses.type("service-unavailable"));
                    return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                            .header("Retry-After", "10")
                            .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                            .body(problem);
                })
                .build();
    }
}
