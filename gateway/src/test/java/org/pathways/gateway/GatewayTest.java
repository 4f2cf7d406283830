package org.pathways.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

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

/** The real gateway over HTTP, in front of a real (tiny) referral backend and a learner service that is down. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.config.name=" + GatewayApplication.NAME,
        "pathways.gateway.protection.requests-per-period=5",
        "pathways.gateway.protection.max-request-bytes=2048",
        "pathways.gateway.protection.allowed-origins=https://app.pathways.test"})
class GatewayTest {

    private static final AtomicReference<String> forwardedTrace = new AtomicReference<>();
    private static final AtomicReference<String> forwardedAuthorization = new AtomicReference<>();
    private static final AtomicReference<String> webAppSawHost = new AtomicReference<>();
    private static HttpServer referralBackend;
    private static HttpServer notificationBackend;
    private static final List<HttpServer> progressionInstances = new ArrayList<>();
    private static final Map<String, Integer> progressionServedBy = new ConcurrentHashMap<>();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void routes(DynamicPropertyRegistry registry) throws Exception {
        referralBackend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        referralBackend.createContext("/api/referrals", exchange -> {
            forwardedTrace.set(exchange.getRequestHeaders().getFirst("traceparent"));
            forwardedAuthorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "{\"id\":\"ref-1\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        referralBackend.createContext("/api/dead-letters/referral-service", exchange -> {
            byte[] body = ("{\"deadLettersOf\":\"" + exchange.getRequestURI().getPath() + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        // FHIR: the referral-service serves the resources; the notification-service (below) the Subscriptions.
        referralBackend.createContext("/api/fhir", exchange -> {
            byte[] body = "{\"resourceType\":\"Task\",\"served-by\":\"referrals\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/fhir+json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        notificationBackend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        notificationBackend.createContext("/api/fhir/r4/Subscription", exchange -> {
            byte[] body = "{\"resourceType\":\"Bundle\",\"served-by\":\"notifications\"}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/fhir+json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        notificationBackend.start();
        referralBackend.createContext("/v3/api-docs", exchange -> {
            byte[] body = "{\"openapi\":\"3.1.0\",\"paths\":{\"/api/referrals/{id}\":{}}}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/v3/api-docs") ? 200 : 404,
                    body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        // The web app: everything outside the API; it answers with the path it was asked for.
        referralBackend.createContext("/", exchange -> {
            webAppSawHost.set(exchange.getRequestHeaders().getFirst("Host"));
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            byte[] body = ("<p>web app: " + exchange.getRequestURI().getPath() + "</p>" + form)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        referralBackend.start();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        // Three instances of the progression-service: the first is stopped, the other two echo what they were sent.
        for (String name : List.of("progression-a", "progression-b")) {
            HttpServer instance = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            instance.createContext("/api/progression", exchange -> {
                progressionServedBy.merge(name, 1, Integer::sum);
                byte[] body = ("{\"servedBy\":\"" + name + "\",\"received\":"
                        + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) + "}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            instance.start();
            progressionInstances.add(instance);
        }
        registry.add("pathways.gateway.routes.progression", () -> "http://127.0.0.1:" + closedPort + ","
                + progressionInstances.stream().map(instance -> "http://127.0.0.1:" + instance.getAddress().getPort())
                        .collect(Collectors.joining(",")));
        registry.add("pathways.gateway.routes.referrals",
                () -> "http://127.0.0.1:" + referralBackend.getAddress().getPort());
        registry.add("pathways.gateway.routes.learners", () -> "http://127.0.0.1:" + closedPort);
        registry.add("pathways.gateway.routes.notifications",
                () -> "http://127.0.0.1:" + notificationBackend.getAddress().getPort());
        registry.add("pathways.gateway.routes.web",
                () -> "http://127.0.0.1:" + referralBackend.getAddress().getPort());
        registry.add("pathways.security.jwt-secret", () -> TestTokens.SECRET);
        registry.add("pathways.security.jwt-issuer", () -> TestTokens.ISSUER);
    }

    @AfterAll
    static void stopBackend() {
        referralBackend.stop(0);
        notificationBackend.stop(0);
        progressionInstances.forEach(instance -> instance.stop(0));
    }

    @Test
    void requestsAreSharedBetweenAServicesInstancesAndOneThatRefusesTheConnectionIsPassedOver() throws Exception {
        for (int i = 0; i < 9; i++) {
            // A client each, so that the rate limit stays out of it.
            String token = TestTokens.token("scaled-client-" + UUID.randomUUID(), "agency-gp", Role.AGENCY_SYSTEM);
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/progression/records"))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"step\":" + i + "}")).build(),
                    HttpResponse.BodyHandlers.ofString());

            // Every request arrives whole at a running instance, although one instance in three is stopped.
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"received\":{\"step\":" + i + "}");
        }
        // Round robin: both running instances took their share (the stopped one's turns went to the next).
        assertThat(progressionServedBy).containsOnlyKeys("progression-a", "progression-b");
        assertThat(progressionServedBy.values()).allSatisfy(served -> assertThat(served).isGreaterThanOrEqualTo(3));
    }

    @Test
    void routesFhirSubscriptionsToTheNotificationServiceAndEveryOtherFhirResourceToTheReferralService()
            throws Exception {
        // A client of its own, so that the other tests' requests leave its rate-limit bucket full.
        String token = TestTokens.token("fhir-client-" + java.util.UUID.randomUUID(), "agency-gp", Role.AGENCY_SYSTEM);
        assertThat(get("/api/fhir/r4/Task/ref-1", token).body()).contains("\"served-by\":\"referrals\"");
        assertThat(get("/api/fhir/r4/metadata", token).body()).contains("\"served-by\":\"referrals\"");
        assertThat(get("/api/fhir/r4/Subscription", token).body()).contains("\"served-by\":\"notifications\"");
        assertThat(get("/api/fhir/r4/Subscription/sub-1", token).body())
                .contains("\"served-by\":\"notifications\"");
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void routesToTheServiceWithTheTokenACorrelationIdAndATrace() throws Exception {
        String token = TestTokens.worker("agency-council");
        HttpResponse<String> response = get("/api/referrals/ref-1", token);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("ref-1");
        assertThat(response.headers().firstValue("X-Correlation-Id")).isPresent();
        // One trace: the service was called in the trace the caller is told of (the gateway's span is its parent).
        String told = response.headers().firstValue("traceparent").orElseThrow();
        assertThat(told).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(forwardedTrace.get()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01")
                .startsWith(told.substring(0, 35)).isNotEqualTo(told);
        assertThat(forwardedAuthorization.get()).isEqualTo("Bearer " + token);
    }

    @Test
    void eachServicesDeadLettersAreRoutedToThatServiceByItsName() throws Exception {
        String admin = TestTokens.token("platform-admin", "partnership", Role.PLATFORM_ADMIN);
        HttpResponse<String> referrals = get("/api/dead-letters/referral-service/0-12", admin);
        assertThat(referrals.statusCode()).isEqualTo(200);
        assertThat(referrals.body()).contains("/api/dead-letters/referral-service/0-12");
        // The learner-profile-service is down in this test: its prefix goes there, not to the referral-service.
        HttpResponse<String> learners = get("/api/dead-letters/learner-profile-service", admin);
        assertThat(learners.statusCode()).isEqualTo(503);
        assertThat(learners.body()).contains("dead-letters-learner-profile-service");
        assertThat(get("/api/dead-letters/referral-service", null).statusCode()).isEqualTo(401);
    }

    @Test
    void everythingOutsideTheApiGoesToTheWebAppWithoutATokenAndWithTheBrowsersHost() throws Exception {
        HttpResponse<String> start = get("/", null);
        assertThat(start.statusCode()).as(start.headers() + " " + start.body()).isEqualTo(200);
        assertThat(start.body()).isEqualTo("<p>web app: /</p>");
        // the web app builds its links and sign-in callback on the address the browser used: the gateway's
        assertThat(webAppSawHost.get()).isEqualTo("localhost:" + port);
        // its answers keep the web app's own headers: the gateway adds no security headers of its own to them
        assertThat(start.headers().map().keySet()).noneMatch(name -> name.equalsIgnoreCase("X-Frame-Options")
                || name.equalsIgnoreCase("Cache-Control") || name.equalsIgnoreCase("X-Content-Type-Options"));

        assertThat(get("/learners/lrn-1", null).body()).isEqualTo("<p>web app: /learners/lrn-1</p>");
        // the API still needs a token, and is never handed to the web app
        HttpResponse<String> api = get("/api/referrals/ref-1", null);
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.body()).doesNotContain("web app");
    }

    @Test
    void signingOutIsTheWebAppsOwn() throws Exception {
        // The web app ends its session and the issuer's on POST /logout; the gateway passes it on, never answers it.
        // From an address of its own (127.0.0.2), so that the other tests' rate-limit bucket stays as they expect.
        HttpClient ownAddress = HttpClient.newBuilder().localAddress(java.net.InetAddress.getByName("127.0.0.2"))
                .build();
        HttpResponse<String> signedOut = ownAddress.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/logout"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("_csrf=abc-123")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signedOut.statusCode()).as(signedOut.headers().toString()).isEqualTo(200);
        assertThat(signedOut.body()).startsWith("<p>web app: /logout</p>");
    }

    @Test
    void aFormPostedToTheWebAppArrivesWhole() throws Exception {
        String form = "givenName=Amina&familyName=O%27Neill+Yusuf&barriers=CHILDCARE&barriers=MONEY&_csrf=abc-123";
        HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/learners"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(posted.body()).startsWith("<p>web app: /learners</p>");
        assertThat(java.net.URLDecoder.decode(posted.body().substring(posted.body().indexOf("</p>") + 4),
                StandardCharsets.UTF_8))
                .isEqualTo(java.net.URLDecoder.decode(form, StandardCharsets.UTF_8));
    }

    @Test
    void refusesRequestsWithoutAValidTokenBeforeRouting() throws Exception {
        forwardedAuthorization.set(null);
        assertThat(get("/api/referrals/ref-1", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/referrals/ref-1", TestTokens.forged("agency-council")).statusCode()).isEqualTo(401);
        assertThat(get("/api/referrals/ref-1", TestTokens.expired("agency-council")).statusCode()).isEqualTo(401);
        assertThat(forwardedAuthorization.get()).isNull();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aClientOverItsLimitGets429WithRetryAfterWhileOthersCarryOn() throws Exception {
        String busy = TestTokens.token("busy-client", "agency-council", org.pathways.platform.security.Role.WORKER);
        for (int i = 0; i < 5; i++) {
            assertThat(get("/api/referrals/ref-1", busy).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = get("/api/referrals/ref-1", busy);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Long.parseLong(seconds)).isPositive());
        assertThat(limited.body()).contains("urn:pathways:problem:rate-limited");
        // Another user of the same agency has a bucket of their own.
        assertThat(get("/api/referrals/ref-1", TestTokens.token("calm-client", "agency-council",
                org.pathways.platform.security.Role.WORKER)).statusCode()).isEqualTo(200);
    }

    @Test
    void anOversizedBodyIs413BeforeItReachesTheService() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/referrals"))
                .header("Authorization", "Bearer " + TestTokens.worker("agency-council"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"need\":\"" + "x".repeat(5000) + "\"}")));
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("urn:pathways:problem:payload-too-large");
    }

    @Test
    void responsesCarrySecurityHeadersAndTheWebAppMayCallCrossOrigin() throws Exception {
        HttpResponse<String> response = get("/api/referrals/ref-1", TestTokens.worker("agency-jobcentre"));
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");

        HttpResponse<String> preflight = send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/referrals"))
                .header("Origin", "https://app.pathways.test")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.pathways.test");

        HttpResponse<String> stranger = send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/referrals"))
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(stranger.statusCode()).isEqualTo(403);

        HttpResponse<String> crossOrigin = send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/referrals/ref-1"))
                .header("Origin", "https://app.pathways.test")
                .header("Authorization", "Bearer " + TestTokens.worker("agency-jobcentre"))
                .GET());
        // The web app must be able to read the version (ETag) it sends back in If-Match, and the Location header.
        assertThat(crossOrigin.headers().firstValue("Access-Control-Expose-Headers").orElse(""))
                .contains("ETag").contains("Location");
    }

    @Test
    void byDefaultNoClientIsBelievedAboutWhereItComesFrom() throws Exception {
        // No proxy is trusted unless named (GATEWAY_TRUSTED_PROXIES): X-Forwarded-For is ignored from everyone.
        RawHttp flooder = new RawHttp(port, java.net.InetAddress.getByName("127.0.0.91"));
        int unauthorized = 0;
        long started = System.nanoTime();
        for (int i = 0; i < 80; i++) {
            // rotating the header to look like many clients, and at last naming a victim
            int status = flooder.send("GET", "/api/referrals/ref-1", "not-a-token-" + i,
                    Map.of("X-Forwarded-For", i < 70 ? "198.51.100." + i : "127.0.0.92"), null).status();
            if (status != 401) {
                assertThat(status).isEqualTo(429);
                break;
            }
            unauthorized++;
        }
        // 60 a minute, refilled one a second (a slow machine sees one more for each second the flood took): not 80
        assertThat(unauthorized).as("the flooder's own bucket (60 a minute), whatever it claimed")
                .isBetween(60, 64 + refilledSince(started));
        assertThat(new RawHttp(port, java.net.InetAddress.getByName("127.0.0.92"))
                .get("/api/referrals/ref-1", "not-a-token").status())
                .as("the address it named is not locked out").isEqualTo(401);
    }

    @Test
    void aStrangersBadTokensNeverLockOutAValidTokenFromTheSameAddress() throws Exception {
        // No proxy trusted (the default, ^$): behind an ingress every client is the ingress's one address, as here.
        RawHttp sharedAddress = new RawHttp(port, java.net.InetAddress.getByName("127.0.0.93"));
        int unauthorized = 0;
        int last = 0;
        long started = System.nanoTime();
        for (int i = 0; i < 70; i++) {
            last = sharedAddress.get("/api/referrals/ref-1", i % 2 == 0
                    ? TestTokens.forged("agency-council") : "not-a-token-" + i).status();
            if (last == 401) {
                unauthorized++;
            } else {
                assertThat(last).isEqualTo(429);
            }
        }
        // 60 a minute, refilled one a second (a slow machine sees one more for each second the requests took)
        assertThat(unauthorized).as("the address's failures before it is blocked")
                .isBetween(60, 64 + refilledSince(started));
        assertThat(last).as("the address is blocked").isEqualTo(429);
        assertThat(sharedAddress.get("/api/referrals/ref-1", null).status())
                .as("still blocked for a request without a token").isEqualTo(429);

        // A signed-in person (or the web app calling for them) at the same address is served.
        RawHttp.Response signedIn = sharedAddress.get("/api/referrals/ref-1",
                TestTokens.token("shared-address-worker", "agency-college", Role.WORKER));
        assertThat(signedIn.status()).as(signedIn.body()).isEqualTo(200);
        // And the web app's pages are not the gateway's to authenticate: served too.
        assertThat(sharedAddress.get("/", null).status()).isEqualTo(200);
    }

    @Test
    void eachBrowserSessionHasItsOwnBucketOnTheWebAppsRoute() throws Exception {
        // Every browser at one address (the ingress's, with no proxy trusted); this test's limit is 5 a period.
        RawHttp sharedAddress = new RawHttp(port, java.net.InetAddress.getByName("127.0.0.94"));
        Map<String, String> reloader = Map.of("Cookie", "PATHWAYS_SESSION=reloading-browser");
        int served = 0;
        for (int i = 0; i < 8; i++) {
            if (sharedAddress.send("GET", "/", null, reloader, null).status() == 200) {
                served++;
            }
        }
        assertThat(served).as("one browser's own limit").isEqualTo(5);
        assertThat(sharedAddress.send("GET", "/dashboard", null,
                        Map.of("Cookie", "theme=dark; PATHWAYS_SESSION=another-browser"), null).status())
                .as("another browser at the same address").isEqualTo(200);
        assertThat(sharedAddress.get("/", null).status()).as("a first visit, without a session yet").isEqualTo(200);
    }

    @Test
    void aServiceThatIsDownGetsA503ProblemWithRetryAfterNotAHang() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = get("/api/learners/lrn-1", TestTokens.worker("agency-council"));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("10");
        assertThat(response.body()).contains("urn:pathways:problem:service-unavailable");
        assertThat(System.nanoTime() - start).isLessThan(10_000_000_000L);
    }

    @Test
    void onePageListsEveryServicesApiDocumentRoutedToTheService() throws Exception {
        HttpResponse<String> page = get("/swagger-ui/index.html", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("swagger-ui");

        HttpResponse<String> config = get("/v3/api-docs/swagger-config", null);
        assertThat(config.statusCode()).as(config.body()).isEqualTo(200);
        for (String service : new String[] {"learner-profile-service", "opportunity-catalogue-service",
                "referral-service", "notification-service", "progression-service"}) {
            assertThat(config.body()).contains("/v3/api-docs/" + service);
        }

        HttpResponse<String> referrals = get("/v3/api-docs/referral-service", null);
        assertThat(referrals.statusCode()).isEqualTo(200);
        assertThat(referrals.body()).contains("/api/referrals/{id}");

        HttpResponse<String> learners = get("/v3/api-docs/learner-profile-service", null);
        assertThat(learners.statusCode()).isEqualTo(503);
        assertThat(learners.body()).contains("urn:pathways:problem:service-unavailable");
    }

    /** The tokens a bucket refilled at one a second has got back since {@code started} (System.nanoTime()). */
    private static int refilledSince(long started) {
        return (int) java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + 1;
    }
}
