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
 * @param maxRequestBytes   the largest request body accepted
 * @param allowedOrigins    the web app's origins allowed by CORS (none by default)
 */
@ConfigurationProperties("pathways.gateway.protection")
public record ProtectionProperties(@DefaultValue("600") long requestsPerPeriod,
                                   @DefaultValue("1m") Duration period,
                                   @DefaultValue("1048576") long maxRequestBytes,
                                   @DefaultValue List<String> allowedOrigins) {
}
