package org.pathways.gateway.protection;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.web.filter.OncePerRequestFilter;

import org.pathways.gateway.GatewayPaths;
import org.pathways.platform.problem.ProblemResponses;

/**
 * A rate limit for requests that fail authentication (no token, a forged, expired or foreign one), per client
 * address, so that a flood of bad tokens cannot keep the gateway checking signatures (or, with an issuer, fetching
 * its keys) for ever. Every 401 the gateway answers takes a token from the address's bucket (Bucket4j, in the same
 * store as the per-client buckets); once it is empty, a request from that address without a bearer token, or with
 * one that does not check out, is answered 429 with Retry-After here until the bucket refills.
 *
 * <p>A request with a valid token is never refused here, blocked address or not: behind an ingress that the gateway
 * is not told to trust, or behind one NAT, every client shares one address, and one stranger's bad tokens must not
 * lock every signed-in person out (nor the web app, whose calls all come from its pod). Such requests have their own
 * per-client limit ({@link ClientRateLimit}). While the address is blocked its token is checked here with the same
 * decoder Spring Security uses (a valid token's signature is checked once, {@code VerifiedTokens}), so a flood of
 * unparseable or unsigned tokens costs a parse each, and never reaches the routes.
 *
 * <p>The web app's paths ({@link GatewayPaths#WEB_APP}) are not the gateway's to authenticate: their 401s (an htmx
 * request after the session ended) are the web app's answers, not failed tokens, and are neither counted nor blocked.
 */
public class UnauthenticatedRateLimit extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(UnauthenticatedRateLimit.class);

    private static final String BEARER = "Bearer ";

    private final ProxyManager<String> buckets;
    private final String keyPrefix;
    private final BucketConfiguration configuration;
    /** Addresses whose bucket is empty, until when (System.nanoTime): answered here without asking the store. */
    private final Cache<String, Long> blocked;
    private final long oneTokenRefill;

    /** The gateway's own token check; absent only where no token can be valid (then a blocked address stays so). */
    private final ObjectProvider<JwtDecoder> tokens;

    UnauthenticatedRateLimit(ClientBuckets buckets, ProtectionProperties properties, ObjectProvider<JwtDecoder> tokens) {
        this.tokens = tokens;
        this.buckets = buckets.proxyManager();
        this.keyPrefix = (buckets.sharedInRedis() ? ClientBuckets.REDIS_KEY_PREFIX : "") + "unauthenticated|";
        long limit = properties.unauthenticatedRequestsPerPeriod();
        this.configuration = BucketConfiguration.builder()
                .addLimit(bandwidth -> bandwidth.capacity(limit).refillGreedy(limit, properties.period()))
                .build();
        this.oneTokenRefill = properties.period().toNanos() / limit;
        this.blocked = Caffeine.newBuilder().maximumSize(100_000)
                .expireAfterWrite(properties.period().plus(Duration.ofSeconds(1))).build();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (GatewayPaths.WEB_APP.matches(request)) {
            chain.doFilter(request, response);
            return;
        }
        String address = request.getRemoteAddr();
        Long until = blocked.getIfPresent(address);
        long now = System.nanoTime();
        if (until != null && until - now > 0 && !carriesAValidToken(request)) {
            long retryAfter = TimeUnit.NANOSECONDS.toSeconds(until - now) + 1;
            response.setHeader("Retry-After", Long.toString(retryAfter));
            ProblemResponses.write(response, HttpStatus.TOO_MANY_REQUESTS, "rate-limited",
                    "Too many requests without a valid token from this address; try again in " + retryAfter + " s.");
            return;
        }
        chain.doFilter(request, response);
        if (response.getStatus() == HttpStatus.UNAUTHORIZED.value()) {
            countFailedAuthentication(address);
        }
    }

    private boolean carriesAValidToken(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        JwtDecoder decoder = tokens.getIfAvailable();
        if (decoder == null) {
            return false;
        }
        try {
            decoder.decode(authorization.substring(BEARER.length()).strip());
            return true;
        } catch (JwtException | IllegalArgumentException refused) {
            return false;
        }
    }

    private void countFailedAuthentication(String address) {
        ConsumptionProbe probe;
        try {
            probe = buckets.builder().build(keyPrefix + address, () -> configuration).tryConsumeAndReturnRemaining(1);
        } catch (RuntimeException unreachable) {
            log.warn("Rate limit store not answering, unauthenticated request not counted: {}",
                    unreachable.toString());
            return;
        }
        if (!probe.isConsumed() || probe.getRemainingTokens() == 0) {
            log.debug("Unauthenticated requests from one address at the limit");
            blocked.put(address, System.nanoTime() + Math.max(oneTokenRefill, TimeUnit.SECONDS.toNanos(1)));
        }
    }
}
