package org.pathways.e2e.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.e2e.RunningPlatform;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.RawHttp;
import org.pathways.testing.TestTokens;

/**
 * One agency (or anyone on the network) sends what no honest client sends, to the whole platform: malformed URLs
 * on every route of the gateway and at every service's own port, bodies far over the limit in chunks, a flood of
 * bad tokens. Each is refused with a 4xx problem, none is a 500, and none hurts anyone else: another agency's
 * ordinary requests are served on every route straight after, because no circuit breaker opened and no limit of
 * theirs was spent.
 */
class HostileRequestAbuseEndToEndTest {

    /** Malformed query strings and paths, as they go into the request line. */
    private static final List<String> MALFORMED = List.of("?cursor=%%%", "?cursor=%00", "?cursor=%c3%28", "?%=1",
            "?cursor=%4", "/x%2Fy", "/x%00y", "/%zz", "/x%", "/%25", "/x;y", "/x/../../../actuator/env", "/%c3%28",
            "/x%5Cy");

    /**
     * Every route of the gateway, and an ordinary request an agency's worker makes on it, answered by the service:
     * 200, or 404 where the college has no such record (no learner of that id, no settings saved, no route between
     * two unknown courses).
     */
    private static final Map<String, String> ROUTES = new LinkedHashMap<>();

    static {
        ROUTES.put("/api/learners", "GET /api/learners/lrn-does-not-exist");
        ROUTES.put("/api/opportunities", "GET /api/opportunities");
        ROUTES.put("/api/agencies", "GET /api/agencies");
        ROUTES.put("/api/referrals", "GET /api/referrals?direction=incoming");
        ROUTES.put("/api/subscriptions", "GET /api/subscriptions");
        ROUTES.put("/api/deliveries", "GET /api/deliveries");
        ROUTES.put("/api/notifications", "GET /api/notifications");
        ROUTES.put("/api/feed", "GET /api/feed");
        ROUTES.put("/api/agency-settings", "GET /api/agency-settings");
        ROUTES.put("/api/matches", "POST /api/matches");
        ROUTES.put("/api/pathways", "GET /api/pathways?from=opp-none-a&to=opp-none-b");
        ROUTES.put("/api/hsds", "GET /api/hsds/services");
        ROUTES.put("/api/progression", "GET /api/progression/summary");
    }

    private static RunningPlatform platform;

    @BeforeAll
    static void thePlatform() {
        platform = RunningPlatform.get();
    }

    @Test
    void malformedUrlsOnEveryRouteAndServiceAre400sAndAnotherAgencyIsServedStraightAfter() {
        String hostile = TestTokens.token("prober-1", "agency-jobcentre", Role.WORKER, Role.AGENCY_ADMIN);
        RawHttp gateway = new RawHttp(platform.gatewayPort);
        // Three rounds on each route: more than any breaker's window (20 calls, opened by 10 failures).
        for (String route : ROUTES.keySet()) {
            for (int round = 0; round < 3; round++) {
                for (String malformed : MALFORMED) {
                    RawHttp.Response answer = gateway.get(route + malformed, hostile);
                    assertThat(answer.isProblem(400)).as("gateway %s%s: %d %s", route, malformed, answer.status(),
                            answer.body()).isTrue();
                }
            }
        }
        // The same at each service's own port, behind the gateway.
        platform.servicePorts.forEach((service, port) -> {
            RawHttp direct = new RawHttp(port);
            for (String malformed : MALFORMED) {
                RawHttp.Response answer = direct.get("/api/things" + malformed, hostile);
                assertThat(answer.isProblem(400)).as("%s %s: %d %s", service, malformed, answer.status(),
                        answer.body()).isTrue();
            }
        });

        anotherAgencyIsServedOnEveryRoute();
    }

    @Test
    void chunkedBodiesFarOverTheLimitAre413AtTheGatewayAndAtEveryService() {
        String token = TestTokens.worker("agency-jobcentre");
        String chunk = "{\"padding\":\"" + "x".repeat(16 * 1024) + "\"}";
        for (String route : ROUTES.keySet()) {
            RawHttp.Response answer = new RawHttp(platform.gatewayPort).postChunked(route, token, chunk, 80);
            assertThat(answer.isProblem(413)).as("gateway %s: %d %s", route, answer.status(), answer.body())
                    .isTrue();
        }
        platform.servicePorts.forEach((service, port) -> {
            RawHttp.Response answer = new RawHttp(port).postChunked("/api/referrals", token, chunk, 80);
            assertThat(answer.isProblem(413)).as("%s: %d %s", service, answer.status(), answer.body()).isTrue();
        });
        anotherAgencyIsServedOnEveryRoute();
    }

    @Test
    void aFloodOfBadTokensFromOneAddressIsRateLimitedAndOthersAreServed() throws Exception {
        RawHttp flooder = new RawHttp(platform.gatewayPort, InetAddress.getByName("127.0.0.66"));
        int limit = RunningPlatform.UNAUTHENTICATED_REQUESTS_PER_MINUTE;
        int unauthorized = 0;
        RawHttp.Response answer = null;
        for (int i = 0; i < 2 * limit; i++) {
            String badToken = switch (i % 3) {
                case 0 -> TestTokens.forged("agency-council");
                case 1 -> TestTokens.expired("agency-council");
                default -> "not-a-token";
            };
            answer = flooder.get(i % 2 == 0 ? "/api/referrals?direction=incoming" : "/api/learners/lrn-1", badToken);
            if (answer.status() != 401) {
                break;
            }
            unauthorized++;
        }
        // The bucket holds the limit and refills gradually (a few more while the flood lasts), then it is empty.
        assertThat(unauthorized).isBetween(limit, 2 * limit - 1);
        assertThat(answer.isProblem(429)).as(answer.status() + " " + answer.body()).isTrue();
        assertThat(answer.json().path("type").asString()).isEqualTo("urn:pathways:problem:rate-limited");
        assertThat(Long.parseLong(answer.headers().get("retry-after"))).isPositive();

        // Another client's requests, without a token from its own address, are still looked at (401, not 429).
        assertThat(new RawHttp(platform.gatewayPort, InetAddress.getByName("127.0.0.67"))
                .get("/api/referrals?direction=incoming", null).status()).isEqualTo(401);
        anotherAgencyIsServedOnEveryRoute();
    }

    /** The college's staff and a coordinator, on every route, are answered by the service (no 429, no 503). */
    private static void anotherAgencyIsServedOnEveryRoute() {
        String college = TestTokens.worker("agency-college");
        String coordinator = TestTokens.token("coordinator-abuse", "partnership", Role.COORDINATOR);
        HttpApi api = new HttpApi(platform.gatewayPort);
        ROUTES.forEach((route, request) -> {
            String[] methodAndPath = request.split(" ", 2);
            String token = route.equals("/api/progression") ? coordinator : college;
            HttpApi.Response answer = methodAndPath[0].equals("POST")
                    ? api.post(methodAndPath[1], token, "{\"locality\":\"LS6\"}")
                    : api.get(methodAndPath[1], token);
            int expected = List.of("/api/learners", "/api/pathways", "/api/agency-settings").contains(route) ? 404
                    : 200;
            assertThat(answer.status()).as("%s: %s", request, answer.body()).isEqualTo(expected);
        });
    }
}
