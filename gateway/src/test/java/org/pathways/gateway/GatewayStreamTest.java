package org.pathways.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Server-Sent Events through the real gateway: the coordinators' live stream ({@code /api/progression/live}) and the
 * web app's relay of it ({@code /dashboard/live}) reach the browser event by event, and live longer than a request
 * may take (the breakers' time limit, 1 s here, 10 s in production), instead of ending in a {@code 503}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.config.name=" + GatewayApplication.NAME,
        "resilience4j.timelimiter.configs.default.timeout-duration=1s"})
class GatewayStreamTest {

    private static HttpServer backend;
    /** Released by the test once it has the first event: the backend then sends the second and ends. */
    private static volatile CountDownLatch firstEventSeen;
    /** Whether the backend heard, before it gave up waiting, that the client had the first event. */
    private static volatile boolean streamed;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) throws Exception {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/api/progression/live", GatewayStreamTest::stream);
        backend.createContext("/dashboard/live", GatewayStreamTest::stream);
        backend.createContext("/api/progression/held", GatewayStreamTest::held);
        backend.createContext("/api/progression/funnel", exchange -> {
            byte[] body = "{\"total\":{}}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        backend.start();
        String url = "http://127.0.0.1:" + backend.getAddress().getPort();
        for (String service : List.of("learners", "opportunities", "referrals", "notifications", "progression",
                "web")) {
            registry.add("pathways.gateway.routes." + service, () -> url);
        }
        registry.add("pathways.security.jwt-secret", () -> TestTokens.SECRET);
        registry.add("pathways.security.jwt-issuer", () -> TestTokens.ISSUER);
    }

    /** An event at once; the second only after the client saw the first, and past the breakers' time limit. */
    private static void stream(HttpExchange exchange) throws java.io.IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write("event:ready\ndata:{}\n\n".getBytes(StandardCharsets.UTF_8));
            body.flush();
            streamed = firstEventSeen.await(10, TimeUnit.SECONDS);
            Thread.sleep(1_500);
            body.write("event:changed\ndata:{\"funnel\":\"<5\"}\n\n".getBytes(StandardCharsets.UTF_8));
            body.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Released by the test: until then each held stream stays open after its first event, as a dashboard's does. */
    private static final CountDownLatch release = new CountDownLatch(1);

    private static void held(HttpExchange exchange) throws java.io.IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write("event:ready\ndata:{}\n\n".getBytes(StandardCharsets.UTF_8));
            body.flush();
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterAll
    static void stop() {
        backend.stop(0);
    }

    @Test
    void theLiveStreamsArriveEventByEventAndOutliveTheTimeLimit() throws Exception {
        String coordinator = TestTokens.token("coord-stream", "partnership", Role.COORDINATOR);
        for (String path : List.of("/api/progression/live", "/dashboard/live")) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(30));
            if (path.startsWith("/api/")) {
                request.header("Authorization", "Bearer " + coordinator);
            }
            firstEventSeen = new CountDownLatch(1);
            streamed = false;
            HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
                    .sendAsync(request.GET().build(), HttpResponse.BodyHandlers.ofLines()).get(20, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/event-stream"));
            List<String> lines = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> {
                try (Stream<String> body = response.body()) {
                    body.forEach(line -> {
                        lines.add(line);
                        if (line.equals("event:ready")) {
                            firstEventSeen.countDown();
                        }
                    });
                }
            });
            ended.get(25, TimeUnit.SECONDS);
            assertThat(streamed).as(path + ": the first event reached the client while the stream was open").isTrue();
            assertThat(lines).as(path + ": then the second, after the time limit")
                    .containsSubsequence("event:ready", "event:changed");
        }
    }

    @Test
    void manyOpenDashboardsNeitherWaitForEachOtherNorHoldUpTheRestOfTheRoute() throws Exception {
        // More streams than the route forwards at once (GATEWAY_ROUTE_CONCURRENCY, 4): an open stream must not hold
        // one of those places for its whole life.
        List<CompletableFuture<HttpResponse<Stream<String>>>> streams = new java.util.ArrayList<>();
        List<CountDownLatch> ready = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                String token = TestTokens.token("coord-many-" + i, "partnership", Role.COORDINATOR);
                CountDownLatch sawReady = new CountDownLatch(1);
                ready.add(sawReady);
                streams.add(HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
                                URI.create("http://localhost:" + port + "/api/progression/held"))
                        .header("Accept", "text/event-stream").header("Authorization", "Bearer " + token)
                        .GET().build(), HttpResponse.BodyHandlers.ofLines()).thenApply(response -> {
                            CompletableFuture.runAsync(() -> response.body().forEach(line -> {
                                if (line.equals("event:ready")) {
                                    sawReady.countDown();
                                }
                            }));
                            return response;
                        }));
            }
            for (int i = 0; i < ready.size(); i++) {
                assertThat(ready.get(i).await(15, TimeUnit.SECONDS)).as("stream " + i + " opened").isTrue();
                assertThat(streams.get(i).get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> figures = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/api/progression/funnel"))
                    .header("Authorization", "Bearer " + TestTokens.token("coord-figures", "partnership",
                            Role.COORDINATOR)).timeout(Duration.ofSeconds(15)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(figures.statusCode()).as("the figures, while eight dashboards are open").isEqualTo(200);
        } finally {
            release.countDown();
        }
    }
}
