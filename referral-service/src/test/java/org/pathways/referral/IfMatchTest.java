package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Optimistic concurrency over HTTP: the version as ETag, If-Match on every change, the body version still works. */
class IfMatchTest extends ReferralServiceTest {

    private HttpResponse<String> get(String id, String token) {
        return send("GET", "/api/referrals/" + id, token, null);
    }

    private HttpResponse<String> transition(String id, String body, String... headers) {
        return send("POST", "/api/referrals/" + id + "/transitions", worker(COLLEGE), body, headers);
    }

    private static String etag(HttpResponse<String> response) {
        return response.headers().firstValue("ETag").orElseThrow();
    }

    @Test
    void everyChangeTakesTheETagAsIfMatchAndAStaleOneIsAConflictNamingTheCurrentVersion() {
        String id = submitted(consentedLearnerAndPublishedCourse(20, 0)).get("id").asString();
        HttpResponse<String> seen = get(id, worker(COLLEGE));
        assertThat(etag(seen)).isEqualTo("\"0\"");
        assertThat(etag(get(id, worker(COUNCIL)))).isEqualTo("\"0\"");
        assertThat(etag(get(id, coordinator()))).isEqualTo("\"0\"");

        HttpResponse<String> received = transition(id, "{\"action\":\"RECEIVE\"}", "If-Match", "\"0\"");
        assertThat(received.statusCode()).as(received.body()).isEqualTo(200);
        assertThat(etag(received)).isEqualTo("\"1\"");
        assertThat(JSON.readTree(received.body()).get("status").asString()).isEqualTo("RECEIVED");

        // Someone acting on what they saw before: 409 with the version to reload.
        HttpResponse<String> stale = transition(id, "{\"action\":\"ACCEPT\"}", "If-Match", "\"0\"");
        assertThat(stale.statusCode()).isEqualTo(409);
        JsonNode problem = JSON.readTree(stale.body());
        assertThat(problem.get("type").asString()).isEqualTo("urn:pathways:problem:stale-version");
        assertThat(problem.get("currentVersion").asLong()).isEqualTo(1);
        assertThat(problem.get("currentETag").asString()).isEqualTo("\"1\"");

        // Header and body agreeing is fine; disagreeing is a request that contradicts itself.
        HttpResponse<String> mismatch = transition(id, "{\"action\":\"ACCEPT\",\"version\":0}", "If-Match", "\"1\"");
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(mismatch.body()).contains("version-mismatch");
        HttpResponse<String> agreeing = transition(id, "{\"action\":\"ACCEPT\",\"version\":1}", "If-Match", "\"1\"");
        assertThat(agreeing.statusCode()).as(agreeing.body()).isEqualTo(200);
        assertThat(etag(agreeing)).isEqualTo("\"2\"");

        // Clients written before ETags: the body version alone, stale or current.
        assertThat(transition(id, "{\"action\":\"START\",\"version\":1}").statusCode()).isEqualTo(409);
        HttpResponse<String> started = transition(id, "{\"action\":\"START\",\"version\":2}");
        assertThat(started.statusCode()).isEqualTo(200);
        assertThat(etag(started)).isEqualTo("\"3\"");
        assertThat(etag(get(id, worker(COUNCIL)))).isEqualTo("\"3\"");

        // No version at all is not a blind overwrite: 428. A wildcard asks for none in particular.
        assertThat(transition(id, "{\"action\":\"COMPLETE\"}").statusCode()).isEqualTo(428);
        for (String malformed : List.of("W/\"3\"", "\"3\", \"4\"", "\"three\"", "3", "\"-1\"",
                "\"99999999999999999999\"")) {
            HttpResponse<String> refused = transition(id, "{\"action\":\"COMPLETE\"}", "If-Match", malformed);
            assertThat(refused.statusCode()).as(malformed).isEqualTo(400);
            assertThat(refused.headers().firstValue("Content-Type").orElse(""))
                    .startsWith("application/problem+json");
        }
        assertThat(transition(id, "{\"action\":\"COMPLETE\"}", "If-Match", "*").statusCode()).isEqualTo(200);
        assertThat(typesSoFar(id, COLLEGE)).containsExactly("submitted", "received", "accepted", "started",
                "completed");
    }

    @Test
    void notesTakeAnOptionalIfMatchAndAnswerTheReferralsNewETag() {
        String id = submitted(consentedLearnerAndPublishedCourse(20, 0)).get("id").asString();
        String path = "/api/referrals/" + id + "/notes";
        HttpResponse<String> free = send("POST", path, worker(COUNCIL), "{\"text\":\"Prefers mornings\"}");
        assertThat(free.statusCode()).isEqualTo(201);
        assertThat(etag(free)).isEqualTo("\"1\"");
        HttpResponse<String> stale = send("POST", path, worker(COUNCIL), "{\"text\":\"Also evenings\"}",
                "If-Match", "\"0\"");
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(stale.body()).get("currentVersion").asLong()).isEqualTo(1);
        HttpResponse<String> current = send("POST", path, worker(COLLEGE), "{\"text\":\"Noted\"}", "If-Match",
                "\"1\"");
        assertThat(current.statusCode()).isEqualTo(201);
        assertThat(etag(current)).isEqualTo("\"2\"");
        assertThat(api().get(path, worker(COLLEGE)).body()).hasSize(2);
    }

    @Test
    void reroutingTakesIfMatchToo() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        String id = submitted(s).get("id").asString();
        String adult = "agency-adult-" + UUID.randomUUID().toString().substring(0, 8);
        Scenario elsewhere = consentedLearnerAndPublishedCourse(adult, 10, 0);
        grantConsent(s.learnerId(), "cns-" + UUID.randomUUID(), adult);
        String body = "{\"opportunityId\":\"" + elsewhere.opportunityId() + "\"}";
        HttpResponse<String> stale = send("POST", "/api/referrals/" + id + "/reroute", worker(COLLEGE), body,
                "If-Match", "\"7\"");
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(stale.body()).contains("stale-version");
        HttpResponse<String> rerouted = org.awaitility.Awaitility.await().atMost(DEADLINE).until(
                () -> send("POST", "/api/referrals/" + id + "/reroute", worker(COLLEGE), body, "If-Match", "\"0\""),
                r -> r.statusCode() != 422);
        assertThat(rerouted.statusCode()).as(rerouted.body()).isEqualTo(201);
        assertThat(etag(rerouted)).isEqualTo("\"0\"");
        assertThat(JSON.readTree(rerouted.body()).get("previousReferralId").asString()).isEqualTo(id);
    }
}
