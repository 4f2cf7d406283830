package org.pathways.gateway.routing;

import java.net.URI;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where each service lives; from the environment, so one jar runs locally, in compose and in Kubernetes. Each is one
 * URL, or the URLs of several instances of the service separated by commas ({@link ServiceInstances}).
 */
@ConfigurationProperties("pathways.gateway.routes")
public record RouteTargets(List<URI> learners, List<URI> opportunities, List<URI> referrals,
                           List<URI> notifications, List<URI> progression, List<URI> web) {
}
