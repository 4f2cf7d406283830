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
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

import org.pathways.platform.problem.ProblemResponses;

/**
 * A rate limit for requests that fail authentication (no token, a forged, expired or foreign one), per client
 * address, so that a flood of bad tokens cannot keep the gateway checking signatures (or, with an issuer, fetching
 * its keys) for ever. Every 401 the gateway answers takes a token from the address's bucket (Bucket4j, in the same
 * store as the per-client buckets); once it is empty, every request from that address is answered 429 with
 * Retry-After here, before Spring Security looks at it, until the bucket refills. Authenticated requests never
 * take from this bucket; they have their own per-client limit ({@link ClientRateLimit}).
 */
public class UnauthenticatedRateLimit extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(UnauthenticatedRateLimit.class);

    private final ProxyManager<String> buckets;
    private final String keyPrefix;
    private final BucketConfiguration configuration;
    /** Addresses whose bucket is empty, until when (System.nanoTime): answered here without asking the store. */
    private final Cache<String, Long> blocked;
    private final long oneTokenRefill;

    UnauthenticatedRateLimit(ClientBuckets buckets, ProtectionProperties properties) {
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
        String address = request.getRemoteAddr();
        Long until = blocked.getIfPresent(address);
        long now = System.nanoTime();
        if (until != null && until - now > 0) {
            long retryAfter = TimeUnit.NANOSECONDS.toSeconds(until - now) + 1;
            response.setHeader("Retry-After", Long.toString(retryAfter));
            ProblemResponses.write(response, HttpStatus.TOO_MANY_REQUESTS, "rate-limited",
                    "Too many unauthenticated requests from this address; try again in " + retryAfter + " s.");
            return;
        }
        chain.doFilter(request, response);
        if (response.getStatus() == HttpStatus.UNAUTHORIZED.value()) {
            countFailedAuthentication(address);
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
