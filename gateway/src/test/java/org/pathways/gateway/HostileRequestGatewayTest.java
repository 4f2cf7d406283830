package org.pathways.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.pathways.platform.security.Role;
import org.pathways.testing.RawHttp;
import org.pathways.testing.TestTokens;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Hostile requests at the real gateway, in front of one real (tiny) backend standing for every service, sent over
 * a plain socket: none of them reaches a service, none is a 500, none opens a route's circuit breaker, so the next
 * agency's ordinary request is served; a service's own 5xx answers do open it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.config.name=" + GatewayApplication.NAME,
        "pathways.gateway.protection.requests-per-period=10000",
        "pathways.gateway.protection.unauthenticated-requests-per-period=10",
        "pathways.gateway.protection.max-request-bytes=4096",
        // the ingress in front of the gateway, named as a deployment names it: only it may say, in
        // X-Forwarded-For, whom it forwards for
        "GATEWAY_TRUSTED_PROXIES=127\\.0\\.0\\.80"})
class HostileRequestGatewayTest {

    /** Every route prefix, as an agency would call it, with the backend path it reaches. */
    private static final List<String> ROUTES = List.of("/api/learners", "/api/opportunities", "/api/agencies",
            "/api/referrals", "/api/subscriptions", "/api/deliveries", "/api/notifications", "/api/feed",
            "/api/agency-settings", "/api/matches", "/api/pathways", "/api/hsds", "/api/progression",
            "/api/fhir/r4/Task", "/api/fhir/r4/Subscription");

    private static final ConcurrentLinkedQueue<String> served = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger bodiesReceived = new AtomicInteger();
    private static HttpServer backend;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) throws Exception {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/", HostileRequestGatewayTest::answer);
        // The web app's sign-in start: it builds the issuer's redirect_uri from these headers (web.yml,
        // server.forward-headers-strategy: native), so they are what it is told about the browser's request.
        backend.createContext("/oauth2/", exchange -> {
            var headers = exchange.getRequestHeaders();
            byte[] body = tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsBytes(Map.of(
                    "proto", String.valueOf(headers.getFirst("X-Forwarded-Proto")),
                    "host", String.valueOf(headers.getFirst("X-Forwarded-Host")),
                    "port", String.valueOf(headers.getFirst("X-Forwarded-Port")),
                    "for", String.valueOf(headers.getFirst("X-Forwarded-For"))));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.start();
        String url = "http://127.0.0.1:" + backend.getAddress().getPort();
        for (String route : new String[] {"learners", "opportunities", "referrals", "notifications", "progression",
                "web"}) {
            registry.add("pathways.gateway.routes." + route, () -> url);
        }
        registry.add("pathways.security.jwt-secret", () -> TestTokens.SECRET);
        registry.add("pathways.security.jwt-issuer", () -> TestTokens.ISSUER);
    }

    /** 500 for a path with /broken, 404 for one with /missing, else 200 with the length of the body received. */
    private static void answer(HttpExchange exchange) throws java.io.IOException {
        String path = exchange.getRequestURI().getRawPath();
        byte[] received = exchange.getRequestBody().readAllBytes();
        if (received.length > 0) {
            bodiesReceived.incrementAndGet();
        }
        served.add(exchange.getRequestURI().toString());
        int status = path.contains("/broken") ? 500 : path.contains("/missing") ? 404 : 200;
        byte[] body = ("{\"received\":" + received.length + "}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @AfterAll
    static void stopBackend() {
        backend.stop(0);
    }

    private static final List<String> HOSTILE = List.of("?cursor=%%%", "?cursor=%00", "?cursor=%c3%28", "?%=1",
            "/a%2Fb", "/a%00b", "/%zz", "/a%", "/%25", "/a;b", "/a/../../../actuator/env", "/%c3%28", "/a%5Cb");

    @Test
    void malformedUrlsOnEveryRouteAre400ProblemsAndNeverOpenABreakerForAnotherAgency() {
        String hostile = TestTokens.token("prober", "agency-hostile", Role.WORKER);
        RawHttp http = new RawHttp(port);
        served.clear();
        for (String route : ROUTES) {
            for (int round = 0; round < 3; round++) {     // 39 malformed requests per route: past any window
                for (String malformed : HOSTILE) {
                    RawHttp.Response answer = http.get(route + malformed, hostile);
                    assertThat(answer.isProblem(400)).as("%s%s: %s %s", route, malformed, answer.status(),
                            answer.body()).isTrue();
                }
            }
        }
        assertThat(served).as("no malformed request reached a service").isEmpty();

        String other = TestTokens.worker("agency-college");
        for (String route : ROUTES) {
            RawHttp.Response answer = http.get(route + "?cursor=abc", other);
            assertThat(answer.status()).as(route + ": " + answer.body()).isEqualTo(200);
        }
    }

    @Test
    void aServicesOwn4xxAnswersNeverOpenTheBreakerButIts5xxAnswersDo() {
        RawHttp http = new RawHttp(port);
        String caller = TestTokens.token("looker", "agency-council", Role.WORKER);
        for (int i = 0; i < 40; i++) {
            RawHttp.Response missing = http.get("/api/referrals/missing-" + i, caller);
            assertThat(missing.status()).isEqualTo(404);
        }
        assertThat(http.get("/api/referrals/ref-1", TestTokens.worker("agency-college")).status()).isEqualTo(200);

        // The feed's service fails on its own: after enough of its 500s (passed on as they are), the route's
        // breaker answers 503 at once with Retry-After.
        int fiveHundreds = 0;
        RawHttp.Response answer = null;
        for (int i = 0; i < 30; i++) {
            answer = http.get("/api/feed/broken", caller);
            if (answer.status() == 500) {
                fiveHundreds++;
            } else {
                break;
            }
        }
        assertThat(fiveHundreds).isBetween(5, 20);
        assertThat(answer.status()).as(answer.body()).isEqualTo(503);
        assertThat(answer.headers()).containsEntry("retry-after", "10");
    }

    @Test
    void chunkedBodiesOverTheLimitAre413BeforeAnyServiceAndOnesWithinItArrivePassedOnWhole() {
        RawHttp http = new RawHttp(port);
        String token = TestTokens.worker("agency-council");
        int before = bodiesReceived.get();
        for (String route : ROUTES) {
            RawHttp.Response tooLarge = http.postChunked(route, token, "x".repeat(1024), 64);
            assertThat(tooLarge.isProblem(413)).as(route + ": " + tooLarge.status() + " " + tooLarge.body()).isTrue();
            assertThat(tooLarge.json().path("type").asString()).isEqualTo("urn:pathways:problem:payload-too-large");
        }
        assertThat(bodiesReceived.get()).as("no oversized body reached a service").isEqualTo(before);

        RawHttp.Response small = http.postChunked("/api/referrals", token, "y".repeat(1000), 3);
        assertThat(small.status()).as(small.body()).isEqualTo(200);
        assertThat(small.json().path("received").asInt()).isEqualTo(3000);
    }

    @Test
    void anHsdsFeedUploadMayBeLargerWithItsLengthDeclaredAndIsStreamedToTheCatalogue() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        String token = TestTokens.token("feed-admin", "agency-platform", Role.PLATFORM_ADMIN);
        java.net.http.HttpRequest.Builder upload = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + "/api/hsds/imports"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/zip");
        byte[] feed = new byte[64 * 1024]; // sixteen times this test's limit for every other path

        java.net.http.HttpResponse<String> declared = client.send(
                upload.POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(feed)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(declared.statusCode()).as(declared.body()).isEqualTo(200);
        assertThat(declared.body()).isEqualTo("{\"received\":" + feed.length + "}");

        int before = bodiesReceived.get();
        java.net.http.HttpResponse<String> unknownLength = client.send(upload.POST(
                        java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                                () -> new java.io.ByteArrayInputStream(feed))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(unknownLength.statusCode()).as(unknownLength.body()).isEqualTo(411);
        assertThat(unknownLength.body()).contains("urn:pathways:problem:length-required");
        assertThat(bodiesReceived.get()).as("the streamed upload never reached the catalogue").isEqualTo(before);
    }

    @Test
    void anHsdsFeedUploadByAnyoneButAPlatformAdministratorIsRefusedBeforeItsBodyIsStreamedOn() throws Exception {
        int before = bodiesReceived.get();
        java.net.http.HttpResponse<String> refused = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/hsds/imports?probe=worker-upload"))
                        .header("Authorization", "Bearer " + TestTokens.worker("agency-council"))
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[64 * 1024])).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("urn:pathways:problem:forbidden");
        assertThat(served).as("never forwarded").noneMatch(target -> target.contains("worker-upload"));
        assertThat(bodiesReceived.get()).isEqualTo(before);
    }

    @Test
    void aFloodOfBadTokensFromOneAddressIsRateLimitedWhileOtherClientsAreServed() throws Exception {
        RawHttp flooder = new RawHttp(port, InetAddress.getByName("127.0.0.77"));
        int unauthorized = 0;
        RawHttp.Response answer = null;
        for (int i = 0; i < 30; i++) {
            answer = flooder.get("/api/referrals/ref-1",
                    i % 2 == 0 ? TestTokens.forged("agency-council") : "not-a-token-" + i);
            if (answer.status() != 401) {
                break;
            }
            unauthorized++;
        }
        assertThat(unauthorized).isEqualTo(10);
        assertThat(answer.isProblem(429)).as(answer.body()).isTrue();
        assertThat(answer.json().path("type").asString()).isEqualTo("urn:pathways:problem:rate-limited");
        assertThat(Long.parseLong(answer.headers().get("retry-after"))).isPositive();
        // Without a token at all, still from that address: refused without being looked at.
        assertThat(flooder.get("/api/referrals/ref-1", null).status()).isEqualTo(429);

        // Another client, from another address, is served as ever.
        RawHttp.Response other = new RawHttp(port, InetAddress.getByName("127.0.0.78"))
                .get("/api/referrals/ref-1", TestTokens.worker("agency-college"));
        assertThat(other.status()).isEqualTo(200);
        assertThat(new RawHttp(port, InetAddress.getByName("127.0.0.79")).get("/api/referrals/ref-1", null).status())
                .isEqualTo(401);
    }

    @Test
    void theWebAppIsToldTheSchemeHostAndAddressTheIngressSawAndNothingAClientClaims() throws Exception {
        Map<String, String> https = Map.of("X-Forwarded-For", "203.0.113.7", "X-Forwarded-Proto", "https",
                "X-Forwarded-Host", "pathways.example.org");
        RawHttp.Response viaIngress = new RawHttp(port, InetAddress.getByName("127.0.0.80"))
                .send("GET", "/oauth2/authorization/pathways", null, https, null);
        assertThat(viaIngress.status()).as(viaIngress.body()).isEqualTo(200);
        assertThat(viaIngress.json().path("proto").asString()).isEqualTo("https");
        assertThat(viaIngress.json().path("host").asString()).isEqualTo("pathways.example.org");
        assertThat(viaIngress.json().path("port").asString()).isEqualTo("443");
        assertThat(viaIngress.json().path("for").asString()).isEqualTo("203.0.113.7");

        // The same claims from a client that is not the ingress: the web app hears the connection's own.
        RawHttp.Response direct = new RawHttp(port, InetAddress.getByName("127.0.0.82"))
                .send("GET", "/oauth2/authorization/pathways", null, https, null);
        assertThat(direct.status()).as(direct.body()).isEqualTo(200);
        assertThat(direct.json().path("proto").asString()).isEqualTo("http");
        assertThat(direct.json().path("host").asString()).doesNotContain("pathways.example.org");
        assertThat(direct.json().path("for").asString()).isEqualTo("127.0.0.82");
    }

    @Test
    void behindAnIngressEachClientHasItsOwnBucketAndNoClientCanClaimAnothersAddress() throws Exception {
        RawHttp ingress = new RawHttp(port, InetAddress.getByName("127.0.0.80"));
        int unauthorized = 0;
        RawHttp.Response answer = null;
        for (int i = 0; i < 30; i++) {
            // what an ingress sends: the client's own claim first, the address it saw the client at last
            answer = ingress.send("GET", "/api/referrals/ref-1", "not-a-token-" + i,
                    Map.of("X-Forwarded-For", "198.51.100." + i + ", 203.0.113.7"), null);
            if (answer.status() != 401) {
                break;
            }
            unauthorized++;
        }
        assertThat(unauthorized).as("the flooder's own bucket, whatever it claimed to be").isEqualTo(10);
        assertThat(answer.isProblem(429)).as(answer.body()).isTrue();

        // Everyone else behind the same ingress: their bad token is a 401, their good one served.
        assertThat(ingress.send("GET", "/api/referrals/ref-1", "not-a-token",
                Map.of("X-Forwarded-For", "203.0.113.8"), null).status()).isEqualTo(401);
        assertThat(ingress.send("GET", "/api/referrals/ref-1", TestTokens.worker("agency-college"),
                Map.of("X-Forwarded-For", "203.0.113.9"), null).status()).isEqualTo(200);
        assertThat(ingress.get("/api/referrals/ref-1", TestTokens.worker("agency-college")).status())
                .as("the ingress's own requests").isEqualTo(200);

        // A client that is not the ingress cannot pass for another by naming it.
        RawHttp direct = new RawHttp(port, InetAddress.getByName("127.0.0.81"));
        int direct401 = 0;
        for (int i = 0; i < 30; i++) {
            RawHttp.Response refused = direct.send("GET", "/api/referrals/ref-1", "not-a-token-" + i,
                    Map.of("X-Forwarded-For", "192.0.2." + i), null);
            if (refused.status() != 401) {
                assertThat(refused.status()).isEqualTo(429);
                break;
            }
            direct401++;
        }
        assertThat(direct401).as("rotating X-Forwarded-For gains a direct client nothing").isEqualTo(10);
    }

}
