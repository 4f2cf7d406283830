package org.pathways.gateway.protection;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pathways.gateway.GatewayApplication;
import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two real gateway instances sharing one client limit in a real Redis (redis-server started by the test): whichever
 * instance a client reaches, its requests count against the same bucket.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedRateLimitTest {

    private static final int LIMIT = 6;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static RedisServerProcess redis;
    private static HttpServer referralBackend;
    private static final AtomicInteger served = new AtomicInteger();
    private static ConfigurableApplicationContext first;
    private static ConfigurableApplicationContext second;

    @BeforeAll
    static void twoGatewaysOnOneRedis() throws Exception {
        if (!RedisServerProcess.installed()) {
            return;     // every test reports itself skipped, with the reason
        }
        redis = RedisServerProcess.start();
        referralBackend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        referralBackend.createContext("/api/referrals", exchange -> {
            served.incrementAndGet();
            byte[] body = "{\"id\":\"ref-1\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        referralBackend.start();
        first = gateway();
        second = gateway();
    }

    @BeforeEach
    void needsRedis() {
        Assumptions.assumeTrue(first != null, RedisServerProcess.NOT_INSTALLED);
    }

    private static ConfigurableApplicationContext gateway() {
        return GatewayApplication.run("--server.port=0",
                "--pathways.gateway.rate-limit.redis-uri=" + redis.uri(),
                "--pathways.gateway.protection.requests-per-period=" + LIMIT,
                // An hour: one request back every ten minutes, none while a slow machine sends the test's few
                "--pathways.gateway.protection.period=1h",
                "--pathways.gateway.routes.referrals=http://127.0.0.1:" + referralBackend.getAddress().getPort(),
                "--pathways.security.jwt-secret=" + TestTokens.SECRET,
                "--pathways.security.jwt-issuer=" + TestTokens.ISSUER);
    }

    @AfterAll
    static void stopEverything() {
        for (ConfigurableApplicationContext gateway : new ConfigurableApplicationContext[] {first, second}) {
            if (gateway != null) {
                gateway.close();
            }
        }
        if (referralBackend != null) {
            referralBackend.stop(0);
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static HttpResponse<String> get(ConfigurableApplicationContext gateway, String token) throws Exception {
        String port = gateway.getEnvironment().getRequiredProperty("local.server.port");
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/referrals/ref-1"))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void aClientsLimitHoldsAcrossBothGatewayInstances() throws Exception {
        String busy = TestTokens.token("busy-machine", "agency-college", Role.AGENCY_SYSTEM);
        int before = served.get();
        for (int i = 0; i < LIMIT; i++) {
            // alternating instances: either alone would still allow all of them, and more
            assertThat(get(i % 2 == 0 ? first : second, busy).statusCode()).as("request %d", i + 1).isEqualTo(200);
        }
        for (ConfigurableApplicationContext gateway : new ConfigurableApplicationContext[] {first, second}) {
            HttpResponse<String> limited = get(gateway, busy);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(limited.body()).contains("urn:pathways:problem:rate-limited");
            assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(
                    seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 3600L));
        }
        assertThat(served.get() - before).as("requests that reached the service").isEqualTo(LIMIT);

        // The bucket really is in Redis, and another client has a bucket of its own.
        try (RedisClient client = RedisClient.create(redis.uri());
             StatefulRedisConnection<String, String> connection = client.connect()) {
            assertThat(connection.sync().keys(ClientBuckets.REDIS_KEY_PREFIX + "*"))
                    .contains(ClientBuckets.REDIS_KEY_PREFIX + "agency-college|busy-machine");
        }
        assertThat(get(second, TestTokens.token("calm-machine", "agency-college", Role.AGENCY_SYSTEM))
                .statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void whenRedisIsDownRequestsStillGoThroughPromptly() throws Exception {
        redis.close();
        long start = System.nanoTime();
        HttpResponse<String> response = get(first, TestTokens.token("during-outage", "agency-council", Role.WORKER));
        assertThat(response.statusCode()).isEqualTo(200);
        // Not held up for the request's whole time-out (10 s) by a store that is not there.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    }
}
