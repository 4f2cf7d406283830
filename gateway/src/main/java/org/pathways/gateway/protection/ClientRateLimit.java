package org.pathways.gateway.protection;

import java.util.concurrent.TimeUnit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.pathways.platform.problem.ProblemResponses;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.servlet.function.HandlerFilterFunction;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * A token bucket per client (Bucket4j): the agency and user, or machine client, named by the validated token.
 * Buckets live in memory (one instance) or in Redis (several instances sharing one limit), see {@link ClientBuckets}.
 * A client over its limit gets 429 problem details with Retry-After, and the service never sees the request. When
 * Redis cannot answer in time the request goes through unlimited: an outage of the limiter must not become an
 * outage of the platform.
 */
public class ClientRateLimit implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private static final Logger log = LoggerFactory.getLogger(ClientRateLimit.class);

    private final ProxyManager<String> buckets;
    private final String keyPrefix;
    private final BucketConfiguration configuration;

    ClientRateLimit(ClientBuckets buckets, ProtectionProperties properties) {
        this.buckets = buckets.proxyManager();
        this.keyPrefix = buckets.sharedInRedis() ? ClientBuckets.REDIS_KEY_PREFIX : "";
        this.configuration = BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(properties.requestsPerPeriod())
                        .refillGreedy(properties.requestsPerPeriod(), properties.period()))
                .build();
    }

    @Override
    public ServerResponse filter(ServerRequest request, HandlerFunction<ServerResponse> next) throws Exception {
        ConsumptionProbe probe;
        try {
            probe = buckets.builder().build(keyPrefix + clientKey(request), () -> configuration)
                    .tryConsumeAndReturnRemaining(1);
        } catch (RuntimeException unreachable) {
            log.warn("Rate limit store not answering, request let through: {}", unreachable.toString());
            return next.handle(request);
        }
        if (probe.isConsumed()) {
            ServerResponse response = next.handle(request);
            response.headers().set("X-RateLimit-Remaining", Long.toString(probe.getRemainingTokens()));
            return response;
        }
        long retryAfter = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill()) + 1);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS,
                "Too many requests from this client; try again in " + retryAfter + " s.");
        problem.setType(ProblemResponses.type("rate-limited"));
        return ServerResponse.status(HttpStatus.TOO_MANY_REQUESTS)
                .header("Retry-After", Long.toString(retryAfter))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    private static String clientKey(ServerRequest request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication != null && authentication.getPrincipal() instanceof Jwt jwt) {
            return jwt.getClaimAsString("agency") + "|" + jwt.getSubject();
        }
        return "address|" + request.remoteAddress().map(a -> a.getAddress().getHostAddress()).orElse("unknown");
    }

}
