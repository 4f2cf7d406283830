package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo's answers to its referrals, against a stand-in gateway whose referral changes under the loader as the
 * demo's same-day target makes it (the referral-service marks an unanswered referral overdue at every check, a new
 * version): a step refused as stale is read again and sent again, as a worker's screen would reload; any other
 * refusal ends the step.
 */
class DemoDataTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AtomicLong version = new AtomicLong(3);
    /** How many of the next steps the stand-in answers by changing the referral first (a check marking it overdue). */
    private final AtomicLong changesBeforeStep = new AtomicLong();
    private final List<Long> versionsSent = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final HttpServer gateway = standIn();
    private final DemoData demo = new DemoData(new GatewayApi("http://localhost:" + gateway.getAddress().getPort()),
            new DemoTokens(Map.of(DemoTokens.COLLEGE, "college-token")),
            new PrintStream(console, true, StandardCharsets.UTF_8));

    @AfterEach
    void stop() {
        gateway.stop(0);
    }

    @Test
    void aStepRefusedBecauseTheReferralChangedMeanwhileIsSentAgainWithTheNewVersion() throws Exception {
        changesBeforeStep.set(1);

        boolean answered = demo.answer("RECEIVE referral 16", "ref-1", DemoTokens.COLLEGE, Map.of("action", "RECEIVE"));

        assertThat(answered).isTrue();
        assertThat(versionsSent).as("the version read first, then the one after the change").containsExactly(3L, 4L);
        assertThat(version.get()).as("the step was taken").isEqualTo(5);
        assertThat(console.toString(StandardCharsets.UTF_8)).doesNotContain("FAILED");
    }

    @Test
    void aReferralThatKeepsChangingFailsTheStepAfterItsAttempts() throws Exception {
        changesBeforeStep.set(Long.MAX_VALUE);

        boolean answered = demo.answer("RECEIVE referral 16", "ref-1", DemoTokens.COLLEGE, Map.of("action", "RECEIVE"));

        assertThat(answered).isFalse();
        assertThat(versionsSent).hasSize(DemoData.STALE_ATTEMPTS);
        assertThat(console.toString(StandardCharsets.UTF_8))
                .contains("FAILED: RECEIVE referral 16 failed: HTTP 409").contains("stale-version");
    }

    @Test
    void anotherRefusalIsNotSentAgain() throws Exception {
        boolean answered = demo.answer("ACCEPT referral 16", "ref-1", DemoTokens.COLLEGE, Map.of("action", "ACCEPT"));

        assertThat(answered).isFalse();
        assertThat(versionsSent).containsExactly(3L);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("FAILED: ACCEPT referral 16 failed: HTTP 409")
                .contains("illegal-transition");
    }

    /**
     * GET /api/referrals/ref-1 answers the current version; POST …/transitions takes RECEIVE at the current version
     * (a new version), refuses a stale one with the referral-service's problem, and ACCEPT as not allowed yet.
     */
    private HttpServer standIn() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            server.createContext("/api/referrals/ref-1", exchange -> {
                if (exchange.getRequestMethod().equals("GET")) {
                    respond(exchange, 200, "{\"id\":\"ref-1\",\"version\":" + version.get() + "}");
                    return;
                }
                JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
                long sent = body.path("version").asLong();
                versionsSent.add(sent);
                if (changesBeforeStep.getAndDecrement() > 0) {
                    version.incrementAndGet();
                }
                if (!body.path("action").asString().equals("RECEIVE")) {
                    respond(exchange, 409, problem("illegal-transition", "A referral is received before it is accepted."));
                } else if (sent != version.get()) {
                    respond(exchange, 409, problem("stale-version",
                            "Someone else changed this referral meanwhile: reload it and try again."));
                } else {
                    respond(exchange, 200, "{\"id\":\"ref-1\",\"version\":" + version.incrementAndGet() + "}");
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String problem(String kind, String detail) {
        return "{\"type\":\"urn:pathways:problem:" + kind + "\",\"title\":\"Conflict\",\"status\":409,\"detail\":\""
                + detail + "\"}";
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type",
                status == 200 ? "application/json" : "application/problem+json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
