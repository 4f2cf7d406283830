package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.testing.TestTokens;
import org.pathways.testing.WebhookReceiver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One referral's handoff is one trace: the worker's request enters the gateway with a W3C {@code traceparent}, and
 * the spans of every service it crosses (gateway, referral-service's request, its MongoDB commands and outbox relay,
 * Kafka, notification-service's inbox and its webhook POST) carry that trace id, exported as a trace viewer receives
 * them; the receiving agency's endpoint is called in the same trace. No span holds the learner's personal data.
 */
class HandoffTraceEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String RECEIVER = "agency-trace-college";
    private static final String REFERRER = "agency-trace-council";
    private static final String FAMILY_NAME = "Tracewell-Private";
    private static final String SEARCHED_NAME = "Querywell";
    private static final String SEARCHED_BIRTH_DATE = "1987-03-19";
    private static final String NEED = "Trace check: needs a quiet room for assessments";

    private static RunningPlatform platform;
    private static WebhookReceiver receiver;

    @BeforeAll
    static void startPlatform() throws Exception {
        receiver = new WebhookReceiver();
        platform = RunningPlatform.get();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    private HttpResponse<String> call(String method, String path, String token, String body, String traceparent)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + platform.gatewayPort + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
        return JSON.readTree(response.body());
    }

    @Test
    void theSpansOfOneHandoffShareOneTraceAcrossEveryServiceItCrosses() throws Exception {
        String college = TestTokens.worker(RECEIVER);
        String council = TestTokens.worker(REFERRER);
        created(call("POST", "/api/subscriptions", college, """
                {"url":"%s","eventTypes":["org.pathways.referral.submitted.v1"]}
                """.formatted(receiver.url("/trace-college")), null));
        String learnerId = created(call("POST", "/api/learners", council, """
                {"givenName":"Tia","familyName":"%s","dateOfBirth":"1990-02-02","localityCode":"LS6",
                 "preferredLanguage":"en","confirmNotDuplicate":true}
                """.formatted(FAMILY_NAME), null)).get("id").asString();
        created(call("POST", "/api/learners/" + learnerId + "/consents", council, """
                {"agencyId":"%s","purpose":"REFERRAL_SHARING","method":"VERBAL"}
                """.formatted(RECEIVER), null));
        String opportunityId = created(call("POST", "/api/opportunities", college, """
                {"title":"Trace course","kind":"FORMAL_LEARNING","capacity":5}
                """, null)).get("id").asString();
        created(call("POST", "/api/opportunities/" + opportunityId + "/publish", college, null, null));

        // The worker's request arrives in a trace of its own (as from the web app or an agency's traced client).
        String traceId = HexFormat.of().formatHex(randomBytes(16));
        String traceparent = "00-" + traceId + "-" + HexFormat.of().formatHex(randomBytes(8)) + "-01";
        String referral = """
                {"learnerId":"%s","opportunityId":"%s","need":"%s","urgency":"SOON"}
                """.formatted(learnerId, opportunityId, NEED);
        HttpResponse<String> submitted = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> call("POST", "/api/referrals", council, referral, traceparent),
                        r -> r.statusCode() != 422 && r.statusCode() != 404);
        created(submitted);
        assertThat(submitted.headers().firstValue("traceparent").orElseThrow())
                .as("the caller is told the trace it is in").startsWith("00-" + traceId + "-");

        // The receiving agency's system is called in the same trace.
        await().atMost(Duration.ofSeconds(30)).until(() -> !receiver.at("/trace-college").isEmpty());
        assertThat(receiver.at("/trace-college").getFirst().header("traceparent"))
                .startsWith("00-" + traceId + "-");

        // Every service on the way exported its part of that trace.
        SpanCollector spans = SpanCollector.get();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<JsonNode> trace = spans.trace(traceId);
            Set<String> services = trace.stream().map(s -> s.path("localEndpoint").path("serviceName").asString())
                    .collect(Collectors.toSet());
            assertThat(services).contains("gateway", "referral-service", "notification-service");
            Set<String> kinds = trace.stream().map(s -> s.path("localEndpoint").path("serviceName").asString()
                    + " " + s.path("kind").asString("INTERNAL")).collect(Collectors.toSet());
            assertThat(kinds).contains("gateway SERVER", "gateway CLIENT", "referral-service SERVER",
                    "referral-service PRODUCER", "notification-service CONSUMER", "notification-service CLIENT");
            assertThat(trace).as("the referral's MongoDB commands are spans of its request")
                    .anyMatch(s -> s.path("localEndpoint").path("serviceName").asString().equals("referral-service")
                            && s.path("tags").has("db.operation"));
        });
        // One parent chain: every span but the caller's first has a parent within the trace or the caller's span.
        // Waited for: a parent ends (and is exported) after its children, in a later batch.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<JsonNode> all = spans.trace(traceId);
            Set<String> ids = all.stream().map(s -> s.path("id").asString()).collect(Collectors.toSet());
            ids.add(traceparent.substring(36, 52));
            assertThat(all).allSatisfy(s -> assertThat(ids).as("parent of %s", s.path("name").asString())
                    .contains(s.path("parentId").asString()));
        });
        List<JsonNode> trace = spans.trace(traceId);
        // Spring Security's own observations are off (pathways-platform.yml): no span per filter of its chain, per
        // authentication or per authorization, in any service.
        assertThat(trace).as("no span of Spring Security's filter chain, authentication or authorization")
                .noneMatch(s -> s.path("name").asString().startsWith("security filterchain")
                        || s.path("name").asString().equals("authorize request")
                        || s.path("name").asString().equals("secured request")
                        || s.path("name").asString().equals("unsecured request")
                        || s.path("name").asString().equals("authorize method")
                        || s.path("name").asString().startsWith("authenticate"));
        // A store command sent outside any trace (a poll, a lease, a batch's inbox check) is no trace of its own:
        // every MongoDB span any service exported has a parent.
        assertThat(spans.all()).as("MongoDB command spans without a parent (one-span traces)")
                .noneMatch(s -> s.path("tags").has("db.operation") && s.path("parentId").asString("").isEmpty());
        // Spans name operations, ids and codes, never the person.
        assertThat(spans.everything()).doesNotContain(FAMILY_NAME, NEED);
    }

    @Test
    void aSearchForAPersonLeavesTheirNameAndBirthDateOutOfEverySpan() throws Exception {
        String council = TestTokens.worker(REFERRER);
        String traceId = HexFormat.of().formatHex(randomBytes(16));
        String traceparent = "00-" + traceId + "-" + HexFormat.of().formatHex(randomBytes(8)) + "-01";

        HttpResponse<String> found = call("GET", "/api/learners?q=" + SEARCHED_NAME + "+" + SEARCHED_BIRTH_DATE,
                council, null, traceparent);
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);

        // The gateway's call on to the learner-profile-service and that service's request are spans of the trace...
        SpanCollector spans = SpanCollector.get();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(spans.trace(traceId).stream()
                .map(s -> s.path("localEndpoint").path("serviceName").asString() + " " + s.path("kind").asString())
                .collect(Collectors.toSet())).contains("gateway CLIENT", "learner-profile-service SERVER"));
        assertThat(spans.trace(traceId)).as("the gateway's call names the address searched")
                .anyMatch(s -> s.path("tags").path("http.url").asString().endsWith("/api/learners"));
        // ...and none of them, nor any other span exported, holds the words searched for.
        assertThat(spans.everything()).doesNotContain(SEARCHED_NAME, SEARCHED_BIRTH_DATE);
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        ThreadLocalRandom.current().nextBytes(bytes);
        bytes[0] |= 1;   // never all zeros (an invalid trace id)
        return bytes;
    }
}
