package org.pathways.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.pathways.testing.TestTokens;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A route whose bulkhead is full (its requests under way and waiting) sheds the next request at once with a 503
 * problem and a Retry-After, never a 500, and the service never sees it; once the requests under way are answered,
 * the route takes requests again. A route forwards many requests at once: one slow request (a large search, an upload)
 * does not hold up the others on its route.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.config.name=" + GatewayApplication.NAME,
        // The service holds what it gets until the test lets go: on a busy machine, a freshly started gateway can take
        // longer than the 10 s time limit to get through 400 requests, and the held ones' time-outs would open the
        // route's breaker. Shedding, not the time limit, is what is tested here.
        "resilience4j.timelimiter.configs.default.timeout-duration=60s"})
class GatewayLoadSheddingTest {

    /** Far more than a route's bulkhead holds (under way and waiting): one of them is shed. */
    private static final int MANY = 400;
    private static final CountDownLatch release = new CountDownLatch(1);
    private static final CountDownLatch releaseSlow = new CountDownLatch(1);
    private static final CountDownLatch slowArrived = new CountDownLatch(1);
    private static final AtomicInteger inFlight = new AtomicInteger();
    private static HttpServer slowReferrals;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) throws Exception {
        slowReferrals = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slowReferrals.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        slowReferrals.createContext("/api/referrals", exchange -> {
            inFlight.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "{\"id\":\"ref-1\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        // Longer prefixes win: one request held until the test lets it go, and one answered at once.
        slowReferrals.createContext("/api/referrals/slow", exchange -> {
            slowArrived.countDown();
            try {
                releaseSlow.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, 200);
        });
        slowReferrals.createContext("/api/referrals/quick", exchange -> answer(exchange, 200));
        slowReferrals.start();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        registry.add("pathways.gateway.routes.referrals",
                () -> "http://127.0.0.1:" + slowReferrals.getAddress().getPort());
        for (String other : List.of("learners", "opportunities", "notifications", "progression", "web")) {
            registry.add("pathways.gateway.routes." + other, () -> "http://127.0.0.1:" + closedPort);
        }
        registry.add("pathways.security.jwt-secret", () -> TestTokens.SECRET);
        registry.add("pathways.security.jwt-issuer", () -> TestTokens.ISSUER);
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status) throws java.io.IOException {
        byte[] body = "{\"id\":\"ref-1\"}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @AfterAll
    static void stopBackend() {
        release.countDown();
        releaseSlow.countDown();
        slowReferrals.stop(0);
    }

    @Test
    void aFullRouteShedsTheNextRequestWithA503AndRetryAfterNeverA500() throws Exception {
        HttpClient client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < MANY; i++) {
            sent.add(client.sendAsync(referral(i), HttpResponse.BodyHandlers.ofString()));
        }
        // The service holds every request it gets: the route fills up and sheds what it cannot hold.
        await().atMost(Duration.ofSeconds(60)).until(() -> sent.stream().anyMatch(CompletableFuture::isDone));
        HttpResponse<String> shed = sent.stream().filter(CompletableFuture::isDone).findFirst().orElseThrow().get();
        assertThat(shed.statusCode()).isEqualTo(503);
        assertThat(shed.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(shed.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(shed.body()).contains("urn:pathways:problem:service-busy");

        release.countDown();
        int forwarded = 0;
        for (CompletableFuture<HttpResponse<String>> response : sent) {
            int status = response.get(60, TimeUnit.SECONDS).statusCode();
            assertThat(status).as("forwarded and answered, or shed").isIn(201, 503);
            forwarded += status == 201 ? 1 : 0;
        }
        assertThat(forwarded).as("the requests the route held were forwarded once there was room").isPositive();
        HttpResponse<String> again = client.send(referral(MANY), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).as("room again once the others were answered").isEqualTo(201);
    }

    @Test
    void aSlowRequestDoesNotHoldUpTheNextOnItsRoute() throws Exception {
        HttpClient client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(get("/api/referrals/slow", 1),
                HttpResponse.BodyHandlers.ofString());
        try {
            assertThat(slowArrived.await(30, TimeUnit.SECONDS)).as("the slow request reached the service").isTrue();
            // Answered while the slow one is still held by the service (the library's default bulkhead forwarded one
            // request at a time per route on 2 cores: this one waited behind it).
            CompletableFuture<HttpResponse<String>> quick = client.sendAsync(get("/api/referrals/quick", 2),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(quick.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(slow).as("the slow request is still under way").isNotDone();
        } finally {
            releaseSlow.countDown();
        }
        assertThat(slow.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    private HttpRequest get(String path, int caller) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + TestTokens.worker("agency-college-" + caller))
                .GET()
                .build();
    }

    private HttpRequest referral(int caller) {
        // A caller each: the per-caller rate limit is not what is tested here.
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/referrals"))
                .header("Authorization", "Bearer " + TestTokens.worker("agency-council-" + caller))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
    }
}
