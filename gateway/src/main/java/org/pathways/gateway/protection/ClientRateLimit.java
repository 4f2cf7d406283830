package org.pathways.gateway.protection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import jakarta.servlet.http.Cookie;
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
import org.springframework.web.util.WebUtils;

/**
 * A token bucket per client (Bucket4j): the agency and user, or machine client, named by the validated token; for a
 * request without a token (the web app's pages, the API documents), the browser's web app session
 * ({@link ProtectionProperties#webSessionCookie()}), else the client address. Not the address for a signed-in
 * browser: behind one ingress or NAT every browser has the same address, and one bucket for all of them let one
 * person's requests (a page reloaded ten times a second) refuse everyone's. The session is keyed by a digest of its
 * cookie, never the cookie itself (it would be the session's key in Redis). A client that makes up a cookie for
 * every request gets a new bucket each time: the per-session limit shares the web app fairly between browsers, it
 * is not a flood guard (that is the ingress's, per real address).
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
    private final String webSessionCookie;

    ClientRateLimit(ClientBuckets buckets, ProtectionProperties properties) {
        this.webSessionCookie = properties.webSessionCookie();
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

    private String clientKey(ServerRequest request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication != null && authentication.getPrincipal() instanceof Jwt jwt) {
            return jwt.getClaimAsString("agency") + "|" + jwt.getSubject();
        }
        Cookie session = WebUtils.getCookie(request.servletRequest(), webSessionCookie);
        if (session != null && !session.getValue().isBlank()) {
            return "session|" + digest(session.getValue());
        }
        return "address|" + request.remoteAddress().map(a -> a.getAddress().getHostAddress()).orElse("unknown");
    }

    private static String digest(String cookie) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(cookie.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException unavailable) {
            throw new IllegalStateException("SHA-256 is part of every JDK", unavailable);
        }
    }
}
