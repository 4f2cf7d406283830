package org.pathways.learner.consent;

import org.pathways.testing.HttpApi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pathways.events.Topic;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.ConsentPurpose;

import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.learner.domain.ConsentMethod;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.LearnerRepository;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;
import org.pathways.testing.RecordedTopic;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.OptimisticLockingFailureException;
import tools.jackson.databind.JsonNode;

class ConsentTest extends LearnerProfileServiceTest {

    @RegisterExtension
    static final RecordedTopic learnerTopic = new RecordedTopic(Topic.LEARNERS.topicName());

    @Autowired
    LearnerRepository learners;
    @Autowired
    Outbox outbox;

    private static Map<String, Object> consentFor(String agency, String purpose, Instant expiresAt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agencyId", agency);
        body.put("purpose", purpose);
        body.put("method", "VERBAL");
        if (expiresAt != null) {
            body.put("expiresAt", expiresAt.toString());
        }
        return body;
    }

    private HttpApi.Response grant(String learnerId, String asAgency, String forAgency, String purpose) {
        return api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(asAgency),
                consentFor(forAgency, purpose, null));
    }

    private boolean check(String learnerId, String asAgency, String forAgency, String purpose) {
        HttpApi.Response response = api().get("/api/learners/" + learnerId + "/consents/check?agencyId=" + forAgency
                + "&purpose=" + purpose, TestTokens.worker(asAgency));
        assertThat(response.status()).isEqualTo(200);
        return response.body().path("allowed").asBoolean();
    }

    @Test
    void theSameConsentSentAgainOrTwiceAtOnceIsRecordedOnceSoOneWithdrawalEndsIt() throws Exception {
        String learnerId = registerLearner(COLLEGE);
        // An expiry finer than the store keeps (microseconds), as a client may send it.
        Instant expiry = Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS).plusNanos(123_456_000);
        Map<String, Object> consent = consentFor(COUNCIL, "REFERRAL_SHARING", expiry);

        // A double click: two at once, then the same again after a timeout.
        List<HttpApi.Response> answers;
        try (ExecutorService clicks = Executors.newFixedThreadPool(2)) {
            List<CompletableFuture<HttpApi.Response>> both = List.of(
                    CompletableFuture.supplyAsync(() -> api().post("/api/learners/" + learnerId + "/consents",
                            TestTokens.worker(COLLEGE), consent), clicks),
                    CompletableFuture.supplyAsync(() -> api().post("/api/learners/" + learnerId + "/consents",
                            TestTokens.worker(COLLEGE), consent), clicks));
            answers = new ArrayList<>(both.stream().map(CompletableFuture::join).toList());
        }
        answers.add(api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE), consent));

        assertThat(answers).extracting(HttpApi.Response::status).containsExactlyInAnyOrder(201, 200, 200);
        assertThat(answers).extracting(answer -> answer.text("id")).containsOnly(answers.getFirst().text("id"));
        assertThat(learners.findById(learnerId).orElseThrow().consents()).hasSize(1);

        // The learner withdraws their consent once, and the council's access ends.
        assertThat(api().delete("/api/learners/" + learnerId + "/consents/" + answers.getFirst().text("id"),
                TestTokens.worker(COLLEGE)).status()).isEqualTo(200);
        assertThat(check(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING")).isFalse();

        // Given again after the withdrawal, or on other terms, it is a consent of its own.
        assertThat(api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE), consent)
                .status()).isEqualTo(201);
        assertThat(api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE),
                consentFor(COUNCIL, "REFERRAL_SHARING", expiry.plus(Duration.ofDays(1)))).status()).isEqualTo(201);
    }

    @Test
    void grantingAConsentPublishesConsentGrantedAndOpensTheProfileToThatAgency() {
        String learnerId = registerLearner(COLLEGE);
        Instant expiry = Instant.now().plus(Duration.ofDays(90)).truncatedTo(ChronoUnit.SECONDS);

        HttpApi.Response granted = api().post("/api/learners/" + learnerId + "/consents",
                TestTokens.worker(COLLEGE), consentFor(COUNCIL, "REFERRAL_SHARING", expiry));

        assertThat(granted.status()).isEqualTo(201);
        String consentId = granted.text("id");
        assertThat(consentId).matches("cns-[0-9a-f-]{36}");
        assertThat(granted.text("recordedBy")).isEqualTo("worker-" + COLLEGE);
        assertThat(granted.body().path("active").asBoolean()).isTrue();

        List<ConsumerRecord<String, byte[]>> records = learnerTopic.await(
                r -> isOfType(r, learnerId, EventType.CONSENT_GRANTED.type()), 1, EVENT_DEADLINE);
        assertThat(records).hasSize(1);
        JsonNode event = cloudEvent(records.getFirst());
        assertThat(event.path("subject").asString()).isEqualTo(learnerId);
        assertThat(event.path("data").path("consentId").asString()).isEqualTo(consentId);
        assertThat(event.path("data").path("agencyId").asString()).isEqualTo(COUNCIL);
        assertThat(event.path("data").path("purpose").asString()).isEqualTo("REFERRAL_SHARING");
        assertThat(Instant.parse(event.path("data").path("expiresAt").asString())).isEqualTo(expiry);

        HttpApi.Response councilView = api().get("/api/learners/" + learnerId, TestTokens.worker(COUNCIL));
        assertThat(councilView.status()).isEqualTo(200);
        assertThat(councilView.text("familyName")).isEqualTo("Okafor");
    }

    @Test
    void theCheckAnswersForOneAgencyAndOnePurpose() {
        String learnerId = registerLearner(COLLEGE);
        assertThat(check(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING")).isFalse();

        assertThat(grant(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING").status()).isEqualTo(201);

        assertThat(check(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING")).isTrue();
        assertThat(check(learnerId, COUNCIL, COUNCIL, "REFERRAL_SHARING")).isTrue();
        assertThat(check(learnerId, COLLEGE, COUNCIL, "CONTACT")).isFalse();
        assertThat(check(learnerId, COLLEGE, HOUSING, "REFERRAL_SHARING")).isFalse();
    }

    @Test
    void anAgencyOtherThanTheRegisteringOneLearnsNothingOfWhatTheLearnerAgreedWithOthers() {
        String learnerId = registerLearner(COLLEGE);
        assertThat(grant(learnerId, COLLEGE, COUNCIL, "CONTACT").status()).isEqualTo(201);
        String housingContact = grant(learnerId, COLLEGE, HOUSING, "CONTACT").text("id");
        assertThat(grant(learnerId, COLLEGE, HOUSING, "REFERRAL_SHARING").status()).isEqualTo(201);

        // The council sees the learner on its own consent; the housing association's consents are not its business.
        HttpApi.Response other = api().get("/api/learners/" + learnerId + "/consents/check?agencyId=" + HOUSING
                + "&purpose=CONTACT", TestTokens.worker(COUNCIL));
        assertThat(other.isProblem(403, "consent-check-not-permitted")).isTrue();
        assertThat(other.body().toString()).doesNotContain(housingContact);
        HttpApi.Response noConsent = api().get("/api/learners/" + learnerId + "/consents/check?agencyId=" + HOUSING
                + "&purpose=OUTCOME_SHARING", TestTokens.worker(COUNCIL));
        assertThat(noConsent.isProblem(403, "consent-check-not-permitted"))
                .as("refused alike whether or not a consent exists").isTrue();
        // The registering agency sees who asked, and on what grounds they see the learner at all.
        List<JsonNode> probes = api().get("/api/learners/" + learnerId + "/audit", TestTokens.worker(COLLEGE)).body()
                .valueStream().filter(entry -> entry.path("action").asString().equals("CONSENT_CHECK_REFUSED"))
                .toList();
        assertThat(probes).hasSize(2).allSatisfy(entry -> {
            assertThat(entry.path("agencyId").asString()).isEqualTo(COUNCIL);
            assertThat(entry.path("grounds").toString()).contains("consent:");
        });

        // Whether a referral may be sent there it may ask (the referral would tell it anyway), without the record.
        HttpApi.Response referral = api().get("/api/learners/" + learnerId + "/consents/check?agencyId=" + HOUSING
                + "&purpose=REFERRAL_SHARING", TestTokens.worker(COUNCIL));
        assertThat(referral.status()).isEqualTo(200);
        assertThat(referral.body().path("allowed").asBoolean()).isTrue();
        assertThat(referral.body().path("consentId").isNull()).isTrue();
        assertThat(referral.body().path("basis").isNull()).as("nor whether it names the agency or its kind").isTrue();
        assertThat(referral.body().path("agencyKind").isNull()).isTrue();

        // Its own, and anything for the registering agency, with the consent's id.
        HttpApi.Response own = api().get("/api/learners/" + learnerId + "/consents/check?agencyId=" + COUNCIL
                + "&purpose=CONTACT", TestTokens.worker(COUNCIL));
        assertThat(own.body().path("consentId").asString()).startsWith("cns-");
        HttpApi.Response registering = api().get("/api/learners/" + learnerId + "/consents/check?agencyId=" + HOUSING
                + "&purpose=CONTACT", TestTokens.worker(COLLEGE));
        assertThat(registering.body().path("consentId").asString()).isEqualTo(housingContact);
    }

    @Test
    void theCheckIsScopedLikeReadingTheProfile() {
        String learnerId = registerLearner(COLLEGE);
        HttpApi.Response response = api().get("/api/learners/" + learnerId
                + "/consents/check?agencyId=" + HOUSING + "&purpose=CONTACT", TestTokens.worker(HOUSING));
        assertThat(response.isProblem(404, "not-found")).isTrue();
    }

    @Test
    void withdrawingAConsentPublishesConsentWithdrawnAndClosesTheProfileAgain() {
        String learnerId = registerLearner(COLLEGE);
        String consentId = grant(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING").text("id");

        HttpApi.Response withdrawn = api().delete("/api/learners/" + learnerId + "/consents/" + consentId,
                TestTokens.worker(COLLEGE));

        assertThat(withdrawn.status()).isEqualTo(200);
        assertThat(withdrawn.text("id")).isEqualTo(consentId);
        assertThat(withdrawn.text("withdrawnAt")).isNotBlank();
        assertThat(withdrawn.body().path("active").asBoolean()).isFalse();
        List<ConsumerRecord<String, byte[]>> records = learnerTopic.await(
                r -> isOfType(r, learnerId, EventType.CONSENT_WITHDRAWN.type()), 1, EVENT_DEADLINE);
        assertThat(records).hasSize(1);
        assertThat(cloudEvent(records.getFirst()).path("data").path("consentId").asString()).isEqualTo(consentId);

        assertThat(check(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING")).isFalse();
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(COUNCIL)).status()).isEqualTo(404);
    }

    @Test
    void withdrawingAConsentTwiceIsAConflictAndPublishesNothingMore() {
        String learnerId = registerLearner(COLLEGE);
        String consentId = grant(learnerId, COLLEGE, COUNCIL, "CONTACT").text("id");
        String path = "/api/learners/" + learnerId + "/consents/" + consentId;
        assertThat(api().delete(path, TestTokens.worker(COLLEGE)).status()).isEqualTo(200);

        HttpApi.Response again = api().delete(path, TestTokens.worker(COLLEGE));

        assertThat(again.isProblem(409, "consent-already-withdrawn")).isTrue();
        assertThat(again.text("withdrawnAt")).isNotBlank();
        awaitMarkerAfterEverythingPublishedFor(learnerId);
        assertThat(learnerTopic.await(r -> isOfType(r, learnerId, EventType.CONSENT_WITHDRAWN.type()), 1,
                EVENT_DEADLINE)).hasSize(1);
    }

    @Test
    void onlyTheRegisteringAgencysWorkersRecordConsent() {
        String learnerId = registerLearner(COLLEGE);
        grant(learnerId, COLLEGE, COUNCIL, "CONTACT");

        assertThat(grant(learnerId, HOUSING, HOUSING, "CONTACT").isProblem(404, "not-found"))
                .as("an agency that cannot see the learner").isTrue();
        assertThat(grant(learnerId, COUNCIL, COUNCIL, "REFERRAL_SHARING").isProblem(404, "not-found"))
                .as("an agency that can see the learner but did not register them").isTrue();
        HttpApi.Response coordinator = api().post("/api/learners/" + learnerId + "/consents",
                TestTokens.token("coordinator-1", COLLEGE, Role.COORDINATOR), consentFor(COUNCIL, "CONTACT", null));
        assertThat(coordinator.isProblem(403, "forbidden")).isTrue();
        assertThat(check(learnerId, COLLEGE, HOUSING, "CONTACT")).isFalse();
        assertThat(check(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING")).isFalse();
    }

    @Test
    void theAgencyAConsentWasGivenToMayWithdrawItButAThirdAgencyCannot() {
        String learnerId = registerLearner(COLLEGE);
        String councilConsent = grant(learnerId, COLLEGE, COUNCIL, "CONTACT").text("id");
        String housingConsent = grant(learnerId, COLLEGE, HOUSING, "CONTACT").text("id");

        assertThat(api().delete("/api/learners/" + learnerId + "/consents/" + housingConsent,
                TestTokens.worker(COUNCIL)).isProblem(404, "not-found")).isTrue();
        assertThat(api().delete("/api/learners/" + learnerId + "/consents/" + councilConsent,
                TestTokens.worker(COUNCIL)).status()).isEqualTo(200);
        assertThat(check(learnerId, COLLEGE, HOUSING, "CONTACT")).isTrue();
    }

    @Test
    void anotherAgencySeesOnlyTheConsentsGivenToIt() {
        String learnerId = registerLearner(COLLEGE);
        grant(learnerId, COLLEGE, COUNCIL, "CONTACT");
        grant(learnerId, COLLEGE, HOUSING, "CONTACT");

        JsonNode councilView = api().get("/api/learners/" + learnerId, TestTokens.worker(COUNCIL)).body();
        JsonNode collegeView = api().get("/api/learners/" + learnerId, TestTokens.worker(COLLEGE)).body();

        assertThat(councilView.path("consents")).hasSize(1);
        assertThat(councilView.path("consents").get(0).path("agencyId").asString()).isEqualTo(COUNCIL);
        assertThat(collegeView.path("consents")).hasSize(2);
    }

    @Test
    void anExpiryInThePastIsRefusedAtInput() {
        String learnerId = registerLearner(COLLEGE);
        HttpApi.Response response = api().post("/api/learners/" + learnerId + "/consents",
                TestTokens.worker(COLLEGE), consentFor(COUNCIL, "CONTACT", Instant.now().minusSeconds(60)));
        assertThat(response.isProblem(400, "validation")).isTrue();
        assertThat(response.body().path("errors").toString()).contains("expiresAt");
        assertThat(check(learnerId, COLLEGE, COUNCIL, "CONTACT")).isFalse();
    }

    @Test
    void concurrentGrantsToOneLearnerNeverLoseAnUpdateAndOneThatKeepsLosingIsToldToRetry() throws Exception {
        String learnerId = registerLearner(COLLEGE);
        int created = 0;
        Instant firstExpiry = Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int burst = 0; burst < 2; burst++) {
                List<CompletableFuture<HttpApi.Response>> racing = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    // Each on its own terms (an expiry of its own): none repeats another.
                    Instant expiry = firstExpiry.plus(Duration.ofDays(burst * 8L + i));
                    racing.add(CompletableFuture.supplyAsync(() -> api().post("/api/learners/" + learnerId
                            + "/consents", TestTokens.worker(COLLEGE), consentFor(COUNCIL, "CONTACT", expiry)), pool));
                }
                for (CompletableFuture<HttpApi.Response> request : racing) {
                    HttpApi.Response response = request.get();
                    // A grant that lost the race is read again and retried; after a few losses it is a 409.
                    assertThat(response.status()).isIn(201, 409);
                    if (response.status() == 201) {
                        created++;
                    } else {
                        assertThat(response.isProblem(409, "stale-version")).isTrue();
                    }
                }
            }
        }
        assertThat(created).isPositive();
        JsonNode learner = api().get("/api/learners/" + learnerId, TestTokens.worker(COLLEGE)).body();
        assertThat(learner.path("consents")).hasSize(created);
        assertThat(learner.path("version").asLong()).isEqualTo(created);
        awaitMarkerAfterEverythingPublishedFor(learnerId);
        assertThat(learnerTopic.await(r -> isOfType(r, learnerId, EventType.CONSENT_GRANTED.type()), created,
                EVENT_DEADLINE)).hasSize(created);
    }

    @Test
    void aSaveFromAStaleReadIsRefusedAndWritesNeitherTheChangeNorItsEvent() {
        String learnerId = registerLearner(COLLEGE);
        Learner first = learners.findById(learnerId).orElseThrow();
        Learner second = learners.findById(learnerId).orElseThrow();
        Instant now = Instant.now();
        outbox.save(first, first.grantConsent(COUNCIL, ConsentPurpose.CONTACT, ConsentMethod.VERBAL, "worker-1",
                null, now));

        assertThatThrownBy(() -> outbox.save(second, second.grantConsent(HOUSING, ConsentPurpose.CONTACT,
                ConsentMethod.VERBAL, "worker-2", null, now)))
                .isInstanceOf(OptimisticLockingFailureException.class);

        Learner stored = learners.findById(learnerId).orElseThrow();
        assertThat(stored.consents()).extracting(c -> c.agencyId()).containsExactly(COUNCIL);
        awaitMarkerAfterEverythingPublishedFor(learnerId);
        assertThat(learnerTopic.await(r -> isOfType(r, learnerId, EventType.CONSENT_GRANTED.type()), 1,
                EVENT_DEADLINE)).hasSize(1);
    }

    /**
     * Records a milestone and waits for its event: learner events are keyed by learner id, so once the marker is
     * seen, every event published for the learner before it has been seen too — no fixed wait to prove that
     * nothing more came.
     */
    private void awaitMarkerAfterEverythingPublishedFor(String learnerId) {
        String marker = api().post("/api/learners/" + learnerId + "/milestones", TestTokens.worker(COLLEGE),
                Map.of("kind", "FIRST_CONTACT", "occurredOn", java.time.LocalDate.now(java.time.ZoneOffset.UTC)
                        .toString())).text("id");
        assertThat(learnerTopic.await(r -> isOfType(r, learnerId, EventType.MILESTONE_RECORDED.type())
                && marker.equals(cloudEvent(r).path("data").path("milestoneId").asString()), 1, EVENT_DEADLINE))
                .hasSize(1);
    }
}
