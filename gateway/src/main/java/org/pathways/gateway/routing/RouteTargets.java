package org.pathways.gateway.routing;

import java.net.URI;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Where each service lives; from the environment, so one jar runs locally, in compose and in Kubernetes. */
@ConfigurationProperties("pathways.gateway.routes")
public record RouteTargets(URI learners, URI opportunities, URI referrals, URI notifications, URI progression,
                           URI web) {
}
