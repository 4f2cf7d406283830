package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/** Submission rules: consent, opportunity, duplicates, idempotency, hostile input. */
class ReferralSubmissionTest extends ReferralServiceTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.data.mongodb.core.MongoTemplate mongo;

    @org.springframework.beans.factory.annotation.Autowired
    org.pathways.referral.readmodel.ReadModelProjections readModels;

    private HttpResponse<String> submit(String token, String body, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/referrals"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String token, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Submits until the read models have caught up with the events (they are eventually consistent). */
    private HttpResponse<String> submitOnceKnown(Scenario s, String key) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> submit(TestTokens.worker(COUNCIL), body(s), key), r -> r.statusCode() != 422);
    }

    @Test
    void aConsentedReferralToAPublishedCourseIsStoredAndPublishedWithoutItsFreeText() throws Exception {
        Scenario s = consentedLearnerAndPublishedCourse(16, 0);
        HttpResponse<String> response = submitOnceKnown(s, null);

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode referral = JSON.readTree(response.body());
        String id = referral.get("id").asString();
        assertThat(response.headers().firstValue("Location")).hasValue("/api/referrals/" + id);
        assertThat(referral.get("status").asString()).isEqualTo("SUBMITTED");
        assertThat(referral.get("referringAgencyId").asString()).isEqualTo(COUNCIL);
        assertThat(referral.get("receivingAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(referral.has("warnings")).isFalse();

        List<ConsumerRecord<String, byte[]>> published = referrals.await(r -> id.equals(r.key()), 1,
                Duration.ofSeconds(20));
        assertThat(published).hasSize(1);
        JsonNode event = JSON.readTree(published.getFirst().value());
        assertThat(event.get("type").asString()).isEqualTo("org.pathways.referral.submitted.v1");
        assertThat(event.get("data").get("receivingAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(new String(published.getFirst().value())).doesNotContain("spoken English");

        // Both agencies party to it can read it; the need is theirs to see.
        assertThat(JSON.readTree(get(TestTokens.worker(COLLEGE), "/api/referrals/" + id).body())
                .get("need").asString()).contains("spoken English");
        // Another agency cannot tell it exists.
        HttpResponse<String> outsider = get(TestTokens.worker("agency-jobcentre"), "/api/referrals/" + id);
        assertThat(outsider.statusCode()).isEqualTo(404);
        assertThat(outsider.body()).doesNotContain(s.learnerId());
        // A coordinator sees the metadata but not the learner or the need.
        JsonNode coordinatorView = JSON.readTree(get(TestTokens.token("coord-1", "partnership", Role.COORDINATOR),
                "/api/referrals/" + id).body());
        assertThat(coordinatorView.has("need")).isFalse();
        assertThat(coordinatorView.has("learnerId")).isFalse();
    }

    @Test
    void aReferralWithoutConsentForTheReceivingAgencyIsRefused() throws Exception {
        String opportunity = "opp-" + UUID.randomUUID();
        events.publish(new OpportunityPublished(opportunity, COLLEGE, OpportunityKind.ADVICE, null, null, 0,
                Instant.now()));
        Scenario noConsent = new Scenario("lrn-" + UUID.randomUUID(), opportunity, null, COLLEGE);
        registered(noConsent.learnerId(), COUNCIL);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            HttpResponse<String> r = submit(TestTokens.worker(COUNCIL), body(noConsent), null);
            return r.statusCode() == 422 && r.body().contains("urn:pathways:problem:consent-required");
        });
    }

    @Test
    void consentWithdrawnBeforeSubmissionIsRefused() throws Exception {
        Scenario s = consentedLearnerAndPublishedCourse(10, 0);
        // First the grant must have been consumed, with everything a submission checks: until then a refusal would
        // only prove the consent (or the course) was not known yet, and would pass even if withdrawals were ignored.
        await().atMost(DEADLINE).until(() -> readModels.mayRefer(s.learnerId(), COUNCIL, Instant.now())
                && readModels.opportunity(s.opportunityId()).isPresent()
                && readModels.referralSharingAllowed(s.learnerId(), COLLEGE, Instant.now()));

        String withdrawal = events.publish(new ConsentWithdrawn(s.learnerId(), s.consentId(), COLLEGE,
                ConsentPurpose.REFERRAL_SHARING, Instant.now()));
        consumed(withdrawal);

        HttpResponse<String> refused = submit(TestTokens.worker(COUNCIL), body(s), null);

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        assertThat(refused.body()).contains("consent-required");
        assertThat(mongo.count(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("learnerId").is(s.learnerId())),
                "referrals")).as("nothing written").isZero();
    }

    @Test
    void anExpiredConsentIsRefused() throws Exception {
        Scenario s = new Scenario("lrn-" + UUID.randomUUID(), "opp-" + UUID.randomUUID(), "cns-" + UUID.randomUUID(),
                COLLEGE);
        events.publish(new OpportunityPublished(s.opportunityId(), COLLEGE, OpportunityKind.ADVICE, null, null, 0,
                Instant.now()));
        registered(s.learnerId(), COUNCIL);
        events.publish(new org.pathways.events.learner.ConsentGranted(s.learnerId(), s.consentId(), COLLEGE,
                ConsentPurpose.REFERRAL_SHARING, Instant.now().minusSeconds(7200), Instant.now().minusSeconds(60)));
        await().atMost(Duration.ofSeconds(20)).until(() -> mongo.findById(s.consentId(),
                org.pathways.referral.readmodel.ConsentView.class) != null);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            HttpResponse<String> r = submit(TestTokens.worker(COUNCIL), body(s), null);
            return r.statusCode() == 422 && r.body().contains("consent-required");
        });
    }

    @Test
    void aFullCourseIsAWarningNotABlock() throws Exception {
        Scenario s = consentedLearnerAndPublishedCourse(12, 12);
        HttpResponse<String> response = submitOnceKnown(s, null);
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(response.body()).get("warnings").get(0).asString()).startsWith("opportunity-full");
    }

    @Test
    void aSecondOpenReferralForTheSameLearnerAndCourseIsAConflictPointingAtTheFirst() throws Exception {
        Scenario s = consentedLearnerAndPublishedCourse(16, 0);
        String first = JSON.readTree(submitOnceKnown(s, null).body()).get("id").asString();
        HttpResponse<String> second = submit(TestTokens.worker(COUNCIL), body(s), null);
        assertThat(second.statusCode()).isEqualTo(409);
        JsonNode problem = JSON.readTree(second.body());
        assertThat(problem.get("type").asString()).isEqualTo("urn:pathways:problem:open-referral-exists");
        assertThat(problem.get("existingReferralId").asString()).isEqualTo(first);
    }

    @Test
    void racingRetriesWithOneIdempotencyKeyCreateOneReferralAndOneEvent() throws Exception {
        Scenario s = consentedLearnerAndPublishedCourse(16, 0);
        String key = "submit-" + UUID.randomUUID();
        String firstId = JSON.readTree(submitOnceKnown(s, key).body()).get("id").asString();

        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Callable<HttpResponse<String>>> retries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            retries.add(() -> submit(TestTokens.worker(COUNCIL), body(s), key));
        }
        for (Future<HttpResponse<String>> retry : pool.invokeAll(retries)) {
            assertThat(retry.get().statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(retry.get().body()).get("id").asString()).isEqualTo(firstId);
            assertThat(retry.get().headers().firstValue("Idempotent-Replayed")).hasValue("true");
        }
        pool.shutdown();
        assertThat(typesSoFar(firstId, COUNCIL)).containsExactly("submitted");
    }

    @Test
    void twoDifferentSubmissionsRacingForOneLearnerAndCourseLeaveOneOpenReferral() throws Exception {
        Scenario s = consentedLearnerAndPublishedCourse(16, 0);
        // Wait until both read models know the scenario, without creating a referral, so the two really race.
        await().atMost(Duration.ofSeconds(20)).until(() -> readModels.opportunity(s.opportunityId()).isPresent()
                && readModels.referralSharingAllowed(s.learnerId(), COLLEGE, Instant.now()));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Callable<HttpResponse<String>>> racing = List.of(
                () -> submitOnceKnown(s, "a-" + UUID.randomUUID()),
                () -> submitOnceKnown(s, "b-" + UUID.randomUUID()));
        List<Integer> statuses = new ArrayList<>();
        for (Future<HttpResponse<String>> f : pool.invokeAll(racing)) {
            statuses.add(f.get().statusCode());
        }
        pool.shutdown();
        assertThat(statuses).containsExactlyInAnyOrder(201, 409);
    }

    @Test
    void badInputGetsProblemDetailsNeverA500() throws Exception {
        String token = TestTokens.worker(COUNCIL);
        List<String> hostile = List.of(
                "{\"learnerId\":{\"$gt\":\"\"},\"opportunityId\":\"opp-1\",\"need\":\"x\",\"urgency\":\"ROUTINE\"}",
                "{\"learnerId\":\"lrn-1\",\"opportunityId\":\"opp-1\",\"need\":\"x\",\"urgency\":\"ROUTINE\",\"admin\":true}",
                "{\"learnerId\":\"lrn-1\",\"opportunityId\":\"opp-1\",\"need\":\"" + "x".repeat(10_000)
                        + "\",\"urgency\":\"ROUTINE\"}",
                "{\"learnerId\":\"lrn-1\",\"opportunityId\":\"opp-1\",\"need\":\"x\",\"urgency\":\"YESTERDAY\"}",
                "{\"learnerId\":\"lrn 1; drop\",\"opportunityId\":\"opp-1\",\"need\":\"x\",\"urgency\":\"ROUTINE\"}",
                "{\"learnerId\":\"lrn-1\"}",
                "{\"learnerId\":\"lrn-1\",\"opportunityId\":\"opp-1\",\"need\":\"x\",\"urgency\":1}",
                "[1,2,3]",
                "not json");
        for (String body : hostile) {
            HttpResponse<String> response = submit(token, body, null);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(JSON.readTree(response.body()).get("type").asString()).startsWith("urn:pathways:problem:");
        }
    }

    @Test
    void badIdsAndIdempotencyKeysGetProblemDetailsNeverA500() throws Exception {
        HttpResponse<String> badId = get(TestTokens.worker(COUNCIL), "/api/referrals/bad%20id%7B%7D");
        assertThat(badId.statusCode()).isEqualTo(400);
        HttpResponse<String> longKey = submit(TestTokens.worker(COUNCIL),
                body(new Scenario("lrn-1", "opp-1", null, COLLEGE)),
                "k".repeat(500));
        assertThat(longKey.statusCode()).isEqualTo(400);
        // "ключ" in UTF-8, as curl sends it (Java's HTTP client will not): the security firewall refuses the
        // header's value, a 400 problem (a 500 before, which the gateway's circuit breaker counted against the
        // route for every agency).
        String cyrillicKey = rawPost("/api/referrals", TestTokens.worker(COUNCIL),
                body(new Scenario("lrn-1", "opp-1", null, COLLEGE)), "Idempotency-Key: ключ");
        assertThat(cyrillicKey).startsWith("HTTP/1.1 400").contains("application/problem+json");
    }

    /** A POST written byte for byte on a socket: its status line, headers and body as received. */
    private String rawPost(String path, String token, String body, String extraHeader) throws Exception {
        byte[] content = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + content.length + "\r\n" + extraHeader
                + "\r\nConnection: close\r\n\r\n";
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().write(content);
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void noValidTokenNoEntry() throws Exception {
        String body = body(new Scenario("lrn-1", "opp-1", null, COLLEGE));
        assertThat(submit(null, body, null).statusCode()).isEqualTo(401);
        assertThat(submit(TestTokens.expired(COUNCIL), body, null).statusCode()).isEqualTo(401);
        assertThat(submit(TestTokens.forged(COUNCIL), body, null).statusCode()).isEqualTo(401);
        assertThat(submit("not-a-jwt", body, null).statusCode()).isEqualTo(401);
    }
}
