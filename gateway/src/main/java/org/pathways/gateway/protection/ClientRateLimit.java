package org.pathways.gateway.protection;

import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.caffeine.CaffeineProxyManager;
import io.github.bucket4j.distributed.proxy.ProxyManager;
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
 * Buckets live in memory here (Caffeine); several gateway instances share them by swapping in Bucket4j's Redis
 * proxy manager. A client over its limit gets 429 problem details with Retry-After, and the service never sees the
 * request.
 */
public class ClientRateLimit implements HandlerFilterFunction<ServerResponse, ServerResponse> {

    private final ProxyManager<String> buckets;
    private final BucketConfiguration configuration;

    public ClientRateLimit(ProtectionProperties properties) {
        this.buckets = new CaffeineProxyManager<>(Caffeine.newBuilder().maximumSize(100_000),
                properties.period().multipliedBy(2));
        this.configuration = BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(properties.requestsPerPeriod())
                        .refillGreedy(properties.requestsPerPeriod(), properties.period()))
                .build();
    }

    @Override
    public ServerResponse filter(ServerRequest request, HandlerFunction<ServerResponse> next) throws Exception {
        ConsumptionProbe probe = buckets.builder().build(clientKey(request), () -> configuration)
                .tryConsumeAndReturnRemaining(1);
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
