package org.pathways.gateway.protection;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How the gateway protects the services behind it.
 *
 * @param requestsPerPeriod how many requests one client (agency and user or machine client) may make per period
 * @param period            the refill period of each client's bucket
 * @param unauthenticatedRequestsPerPeriod how many requests failing authentication (401) one client address may
 *                          make per period before all its requests are answered 429 for a while
 * @param maxRequestBytes   the largest request body accepted, declared or streamed (chunked)
 * @param allowedOrigins    the web app's origins allowed by CORS (none by default)
 * @param largerRequestBodies paths that take larger uploads (an HSDS feed) with their limit; such a body must
 *                          declare its length and is streamed to the service, not held by the gateway
 * @param webSessionCookie  the web app's session cookie: a request without a token that carries it is limited per
 *                          session (each browser its own bucket), not per address
 */
@ConfigurationProperties("pathways.gateway.protection")
public record ProtectionProperties(@DefaultValue("600") long requestsPerPeriod,
                                   @DefaultValue("1m") Duration period,
                                   @DefaultValue("60") long unauthenticatedRequestsPerPeriod,
                                   @DefaultValue("1048576") long maxRequestBytes,
                                   @DefaultValue List<String> allowedOrigins,
                                   @DefaultValue Map<String, DataSize> largerRequestBodies,
                                   @DefaultValue("PATHWAYS_SESSION") String webSessionCookie) {

    /** The larger limits in bytes, by path pattern. */
    public Map<String, Long> largerLimitsInBytes() {
        Map<String, Long> bytes = new LinkedHashMap<>();
        largerRequestBodies.forEach((path, size) -> bytes.put(path, size.toBytes()));
        return bytes;
    }
}
