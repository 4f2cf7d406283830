package org.pathways.gateway.protection;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the gateway protects the services behind it.
 *
 * @param requestsPerPeriod how many requests one client (agency and user or machine client) may make per period
 * @param period            the refill period of each client's bucket
 * @param unauthenticatedRequestsPerPeriod how many requests failing authentication (401) one client address may
 *                          make per period before all its requests are answered 429 for a while
 * @param maxRequestBytes   the largest request body accepted, declared or streamed (chunked)
 * @param allowedOrigins    the web app's origins allowed by CORS (none by default)
 */
@ConfigurationProperties("pathways.gateway.protection")
public record ProtectionProperties(@DefaultValue("600") long requestsPerPeriod,
                                   @DefaultValue("1m") Duration period,
                                   @DefaultValue("60") long unauthenticatedRequestsPerPeriod,
                                   @DefaultValue("1048576") long maxRequestBytes,
                                   @DefaultValue List<String> allowedOrigins) {
}
