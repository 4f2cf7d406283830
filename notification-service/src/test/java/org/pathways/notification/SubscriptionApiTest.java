package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

class SubscriptionApiTest extends NotificationServiceTest {

    private static final String HOOK = "http://127.0.0.1:9/hooks";

    @Test
    void anAgencyAdminSubscribesAndSeesTheSecretOnlyOnce() throws Exception {
        HttpResponse<String> created = call("POST", "/api/subscriptions", admin("agency-college"),
                JSON.writeValueAsString(Map.of("url", HOOK,
                        "eventTypes", List.of(SUBMITTED, SUBMITTED, "org.pathways.learner.registered.v1"))));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode subscription = json(created);
        String id = subscription.get("id").asString();
        assertThat(created.headers().firstValue("Location")).hasValue("/api/subscriptions/" + id);
        assertThat(subscription.get("agencyId").asString()).isEqualTo("agency-college");
        assertThat(subscription.get("url").asString()).isEqualTo(HOOK);
        assertThat(subscription.get("eventTypes").valueStream().map(JsonNode::asString))
                .containsExactly("org.pathways.learner.registered.v1", SUBMITTED);
        assertThat(subscription.get("status").asString()).isEqualTo("ACTIVE");
        String secret = subscription.get("secret").asString();
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(24);

        HttpResponse<String> listed = call("GET", "/api/subscriptions", admin("agency-college"), null);
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(json(listed)).singleElement().satisfies(s -> {
            assertThat(s.get("id").asString()).isEqualTo(id);
            assertThat(s.has("secret")).isFalse();
        });
        HttpResponse<String> one = call("GET", "/api/subscriptions/" + id, admin("agency-college"), null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(json(one).has("secret")).isFalse();
        assertThat(one.body()).doesNotContain(secret.substring(6));
    }

    /** One agency's subscriptions are bounded: each is a signed request per event to its endpoint. */
    @Test
    void anAgencyKeepsAtMostTwentySubscriptions() throws Exception {
        String agency = "agency-many-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String body = JSON.writeValueAsString(Map.of("url", HOOK, "eventTypes", List.of(SUBMITTED)));
        for (int i = 0; i < 20; i++) {
            assertThat(call("POST", "/api/subscriptions", admin(agency), body).statusCode()).isEqualTo(201);
        }

        HttpResponse<String> oneMore = call("POST", "/api/subscriptions", admin(agency), body);

        assertThat(oneMore.statusCode()).isEqualTo(409);
        assertThat(json(oneMore).get("type").asString()).endsWith("too-many-subscriptions");
        // A FHIR rest-hook Subscription is a subscription like any other.
        HttpResponse<String> restHook = call("POST", "/api/fhir/r4/Subscription", admin(agency), JSON.writeValueAsString(
                Map.of("resourceType", "Subscription", "status", "requested", "reason", "Referrals to us",
                        "criteria", "Task", "channel", Map.of("type", "rest-hook", "endpoint", HOOK))));
        assertThat(restHook.statusCode()).as(restHook.body()).isEqualTo(409);
        assertThat(json(call("GET", "/api/subscriptions", admin(agency), null))).hasSize(20);
        String first = json(call("GET", "/api/subscriptions", admin(agency), null)).get(0).get("id").asString();
        assertThat(call("DELETE", "/api/subscriptions/" + first, admin(agency), null).statusCode()).isEqualTo(204);
        assertThat(call("POST", "/api/subscriptions", admin(agency), body).statusCode())
                .as("one removed, one may be added").isEqualTo(201);
        assertThat(call("POST", "/api/subscriptions", admin("agency-college-" + agency), body).statusCode())
                .as("another agency's are its own").isEqualTo(201);
    }

    @Test
    void theSameRegistrationSentAgainOrTwiceAtOnceMakesOneSubscription() throws Exception {
        String body = JSON.writeValueAsString(Map.of("url", HOOK, "eventTypes", List.of(SUBMITTED)));
        String key = "form-" + java.util.UUID.randomUUID();
        List<HttpResponse<String>> answers = new java.util.ArrayList<>();
        try (var clicks = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            var both = List.of(clicks.submit(() -> call("POST", "/api/subscriptions", admin("agency-college"), body,
                            "Idempotency-Key", key)),
                    clicks.submit(() -> call("POST", "/api/subscriptions", admin("agency-college"), body,
                            "Idempotency-Key", key)));
            for (var answer : both) {
                answers.add(answer.get());
            }
        }
        HttpResponse<String> retried = call("POST", "/api/subscriptions", admin("agency-college"), body,
                "Idempotency-Key", key);
        answers.add(retried);

        assertThat(answers).extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(201, 200, 200);
        String id = json(answers.getFirst()).get("id").asString();
        assertThat(answers).extracting(answer -> json(answer).get("id").asString()).containsOnly(id);
        // The retry shows the one secret again (a client that lost the first answer can still sign-check).
        assertThat(answers).extracting(answer -> json(answer).get("secret").asString())
                .containsOnly(json(answers.getFirst()).get("secret").asString());
        assertThat(retried.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(json(call("GET", "/api/subscriptions", admin("agency-college"), null))).hasSize(1);

        // Once rotated, a retry no longer shows a secret; the key for another endpoint is refused.
        assertThat(call("POST", "/api/subscriptions/" + id + "/rotate-secret", admin("agency-college"), null)
                .statusCode()).isEqualTo(200);
        assertThat(json(call("POST", "/api/subscriptions", admin("agency-college"), body, "Idempotency-Key", key))
                .has("secret")).isFalse();
        HttpResponse<String> reused = call("POST", "/api/subscriptions", admin("agency-college"),
                JSON.writeValueAsString(Map.of("url", "http://127.0.0.1:9/other", "eventTypes", List.of(SUBMITTED))),
                "Idempotency-Key", key);
        assertThat(reused.statusCode()).as(reused.body()).isEqualTo(422);
        assertThat(reused.body()).contains("idempotency-key-reused");
        // Another agency's same key is its own subscription.
        HttpResponse<String> council = call("POST", "/api/subscriptions", admin("agency-council"), body,
                "Idempotency-Key", key);
        assertThat(council.statusCode()).isEqualTo(201);
        assertThat(json(council).get("id").asString()).isNotEqualTo(id);
        assertThat(json(call("GET", "/api/subscriptions", admin("agency-college"), null))).hasSize(1);

        // Removed, then the request that made it sent again (a late retry, the Back button): it does not come back.
        assertThat(call("DELETE", "/api/subscriptions/" + id, admin("agency-college"), null).statusCode())
                .isEqualTo(204);
        HttpResponse<String> late = call("POST", "/api/subscriptions", admin("agency-college"), body,
                "Idempotency-Key", key);
        assertThat(late.statusCode()).as(late.body()).isEqualTo(410);
        assertThat(late.body()).contains("subscription-removed");
        assertThat(json(call("GET", "/api/subscriptions", admin("agency-college"), null))).isEmpty();
    }

    @Test
    void aRotationSentAgainWithItsKeyRotatesOnceAndTheOldSecretKeepsItsGrace() throws Exception {
        JsonNode created = subscribe("agency-college", HOOK, SUBMITTED);
        String id = created.get("id").asString();
        String rotate = "/api/subscriptions/" + id + "/rotate-secret";
        String key = "rotate-" + java.util.UUID.randomUUID();
        Object registered = sealedSecret(id, "secret");

        HttpResponse<String> first = call("POST", rotate, admin("agency-college"), null, "Idempotency-Key", key);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String issued = json(first).get("secret").asString();
        String graceUntil = json(first).get("previousSecretValidUntil").asString();
        // A second click: the same new secret, and the secret the receiver still checks keeps its grace.
        HttpResponse<String> again = call("POST", rotate, admin("agency-college"), null, "Idempotency-Key", key);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(json(again).get("secret").asString()).isEqualTo(issued);
        assertThat(java.time.Instant.parse(json(again).get("previousSecretValidUntil").asString()))
                .isEqualTo(java.time.Instant.parse(graceUntil).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(sealedSecret(id, "previousSecret")).as("the registration's secret still signs")
                .isEqualTo(registered);
        // Another rotation (a new key) is one more.
        HttpResponse<String> next = call("POST", rotate, admin("agency-college"), null, "Idempotency-Key",
                "rotate-" + java.util.UUID.randomUUID());
        assertThat(json(next).get("secret").asString()).isNotEqualTo(issued);
    }

    /** The sealed value of a subscription's {@code field} as stored. */
    private Object sealedSecret(String id, String field) {
        return mongo.getCollection("subscriptions").find(new org.bson.Document("_id", id)).first()
                .get(field, org.bson.Document.class).get("value");
    }

    @Test
    void anAgencyNeverSeesOrRemovesAnotherAgencysSubscription() throws Exception {
        String college = subscribe("agency-college", HOOK, SUBMITTED).get("id").asString();
        String council = subscribe("agency-council", HOOK, SUBMITTED).get("id").asString();

        assertThat(json(call("GET", "/api/subscriptions", admin("agency-council"), null)).valueStream()
                .map(s -> s.get("id").asString())).containsExactly(council);
        HttpResponse<String> foreign = call("GET", "/api/subscriptions/" + college, admin("agency-council"), null);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(foreign.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(call("DELETE", "/api/subscriptions/" + college, admin("agency-council"), null).statusCode())
                .isEqualTo(404);

        assertThat(call("DELETE", "/api/subscriptions/" + college, admin("agency-college"), null).statusCode())
                .isEqualTo(204);
        assertThat(call("GET", "/api/subscriptions/" + college, admin("agency-college"), null).statusCode())
                .isEqualTo(404);
        assertThat(call("DELETE", "/api/subscriptions/" + college, admin("agency-college"), null).statusCode())
                .isEqualTo(404);
        assertThat(call("GET", "/api/subscriptions/" + council, admin("agency-council"), null).statusCode())
                .isEqualTo(200);
    }

    static Stream<Arguments> hostileBodies() {
        String types = "\"eventTypes\": [\"" + SUBMITTED + "\"]";
        return Stream.of(
                Arguments.of("ftp URL", "{\"url\": \"ftp://127.0.0.1/hooks\", " + types + "}", "invalid-endpoint"),
                Arguments.of("not a URL", "{\"url\": \"not a url\", " + types + "}", "invalid-endpoint"),
                Arguments.of("no host", "{\"url\": \"https://\", " + types + "}", "invalid-endpoint"),
                Arguments.of("credentials", "{\"url\": \"https://u:p@127.0.0.1/\", " + types + "}",
                        "invalid-endpoint"),
                Arguments.of("file URL", "{\"url\": \"file:///etc/passwd\", " + types + "}", "invalid-endpoint"),
                Arguments.of("huge URL", "{\"url\": \"https://127.0.0.1/" + "a".repeat(3000) + "\", " + types + "}",
                        "validation"),
                Arguments.of("unknown event type", "{\"url\": \"" + HOOK + "\", \"eventTypes\": "
                        + "[\"org.pathways.referral.exploded.v1\"]}", "unknown-event-type"),
                Arguments.of("no event types", "{\"url\": \"" + HOOK + "\", \"eventTypes\": []}", "validation"),
                Arguments.of("blank event type", "{\"url\": \"" + HOOK + "\", \"eventTypes\": [\" \"]}",
                        "validation"),
                Arguments.of("operator injection", "{\"url\": {\"$gt\": \"\"}, " + types + "}",
                        "malformed-request"),
                Arguments.of("operator in types", "{\"url\": \"" + HOOK + "\", \"eventTypes\": {\"$ne\": null}}",
                        "malformed-request"),
                Arguments.of("unknown field", "{\"url\": \"" + HOOK + "\", " + types + ", \"secret\": \"whsec_x\"}",
                        "malformed-request"),
                Arguments.of("no url", "{" + types + "}", "validation"),
                Arguments.of("not JSON", "url=" + HOOK, "malformed-request"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileBodies")
    void hostileInputIsA400ProblemAndCreatesNothing(String name, String body, String kind) throws Exception {
        HttpResponse<String> response = call("POST", "/api/subscriptions", admin("agency-college"), body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(response).get("type").asString()).isEqualTo("urn:pathways:problem:" + kind);
        assertThat(json(call("GET", "/api/subscriptions", admin("agency-college"), null))).isEmpty();
    }

    @Test
    void withoutAValidTokenNothingIsServed() throws Exception {
        String body = JSON.writeValueAsString(Map.of("url", HOOK, "eventTypes", List.of(SUBMITTED)));
        for (String token : new String[] {null, TestTokens.forged("agency-college"),
                TestTokens.expired("agency-college")}) {
            HttpResponse<String> response = call("POST", "/api/subscriptions", token, body);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(json(response).get("type").asString()).isEqualTo("urn:pathways:problem:unauthenticated");
            assertThat(call("GET", "/api/subscriptions", token, null).statusCode()).isEqualTo(401);
            assertThat(call("GET", "/api/deliveries", token, null).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void onlyAnAgencyAdminManagesSubscriptionsAndDeliveries() throws Exception {
        String worker = TestTokens.token("worker-1", "agency-college", Role.WORKER);
        String body = JSON.writeValueAsString(Map.of("url", HOOK, "eventTypes", List.of(SUBMITTED)));
        HttpResponse<String> response = call("POST", "/api/subscriptions", worker, body);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).get("type").asString()).isEqualTo("urn:pathways:problem:forbidden");
        assertThat(call("GET", "/api/subscriptions", worker, null).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/api/deliveries", worker, null).statusCode()).isEqualTo(403);
    }

    @Test
    void badParametersAre400sNot500s() throws Exception {
        assertThat(call("GET", "/api/deliveries?status=LOST", admin("agency-college"), null).statusCode())
                .isEqualTo(400);
        assertThat(call("GET", "/api/subscriptions/not%20an%20id", admin("agency-college"), null).statusCode())
                .isEqualTo(400);
        assertThat(call("POST", "/api/deliveries/dlv-missing/redeliver", admin("agency-college"), null)
                .statusCode()).isEqualTo(404);
    }
}
