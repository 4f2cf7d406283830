package org.pathways.learner.profile;

import org.pathways.testing.HttpApi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pathways.events.Topic;
import org.pathways.events.catalogue.EventType;

import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;
import org.pathways.testing.RecordedTopic;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import tools.jackson.databind.JsonNode;

class RegistrationTest extends LearnerProfileServiceTest {

    @RegisterExtension
    static final RecordedTopic learnerTopic = new RecordedTopic(Topic.LEARNERS.topicName());

    @Autowired
    MongoTemplate mongo;

    @Test
    void registeringALearnerAnswersWithTheProfileAndItsLocation() {
        HttpApi.Response response = api().post("/api/learners", TestTokens.worker(COLLEGE), learnerDetails());

        assertThat(response.status()).isEqualTo(201);
        String id = response.text("id");
        assertThat(id).matches("lrn-[0-9a-f-]{36}");
        assertThat(response.location()).contains("/api/learners/" + id);
        assertThat(response.text("givenName")).isEqualTo("Amina");
        assertThat(response.text("dateOfBirth")).isEqualTo("1994-03-17");
        assertThat(response.text("registeringAgencyId")).isEqualTo(COLLEGE);
        assertThat(response.body().path("consents").isArray()).isTrue();
        assertThat(response.body().path("version").asLong()).isZero();
    }

    @Test
    void theSameRegistrationSentAgainOrTwiceAtOnceMakesOneRecord() throws Exception {
        // "Register anyway" clicked twice: without the key, the waiver would let the second click make a second
        // record of the same person.
        Map<String, Object> person = learnerDetails();
        String key = "form-" + java.util.UUID.randomUUID();
        List<HttpApi.Response> answers = new java.util.ArrayList<>();
        try (var clicks = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            var both = List.of(
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> send("POST", "/api/learners",
                            TestTokens.worker(COLLEGE), person, "Idempotency-Key", key), clicks),
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> send("POST", "/api/learners",
                            TestTokens.worker(COLLEGE), person, "Idempotency-Key", key), clicks));
            both.forEach(answer -> answers.add(answer.join()));
        }
        HttpApi.Response retried = send("POST", "/api/learners", TestTokens.worker(COLLEGE), person,
                "Idempotency-Key", key);
        answers.add(retried);

        assertThat(answers).extracting(HttpApi.Response::status).containsExactlyInAnyOrder(201, 200, 200);
        String id = answers.getFirst().text("id");
        assertThat(answers).extracting(answer -> answer.text("id")).containsOnly(id);
        assertThat(retried.location()).contains("/api/learners/" + id);
        assertThat(retried.text("givenName")).isEqualTo("Amina");
        assertThat(mongo.count(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("_id").is(id)), "learners")).isEqualTo(1);
        assertThat(learnerTopic.await(r -> isOfType(r, id, EventType.LEARNER_REGISTERED.type()), 1,
                EVENT_DEADLINE)).hasSize(1);

        // Two at once without waiving the duplicate check: the record the other one made is no duplicate of itself.
        Map<String, Object> checked = uniquePerson("Ngozi", "Adeyemi-Clarke", "1987-11-23");
        String checkedKey = "form-" + java.util.UUID.randomUUID();
        List<HttpApi.Response> both = new java.util.ArrayList<>();
        try (var clicks = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            var sent = List.of(
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> send("POST", "/api/learners",
                            TestTokens.worker(COLLEGE), checked, "Idempotency-Key", checkedKey), clicks),
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> send("POST", "/api/learners",
                            TestTokens.worker(COLLEGE), checked, "Idempotency-Key", checkedKey), clicks));
            sent.forEach(answer -> both.add(answer.join()));
        }
        assertThat(both).extracting(HttpApi.Response::status).containsExactlyInAnyOrder(201, 200);

        // The key with someone else's details is refused; another agency's same key registers its own record.
        Map<String, Object> someoneElse = uniquePerson("Dafydd", "Rees", "1988-07-02");
        someoneElse.put("confirmNotDuplicate", true);
        HttpApi.Response reused = send("POST", "/api/learners", TestTokens.worker(COLLEGE), someoneElse,
                "Idempotency-Key", key);
        assertThat(reused.isProblem(422, "idempotency-key-reused")).as(reused.body().toString()).isTrue();
        HttpApi.Response council = send("POST", "/api/learners", TestTokens.worker(COUNCIL), person,
                "Idempotency-Key", key);
        assertThat(council.status()).isEqualTo(201);
        assertThat(council.text("id")).isNotEqualTo(id);
        assertThat(send("POST", "/api/learners", TestTokens.worker(COLLEGE), person, "Idempotency-Key",
                "not a key").status()).isEqualTo(400);
    }

    @Test
    void registrationPublishesLearnerRegisteredWithoutPersonalData() {
        String id = registerLearner(COLLEGE);

        List<ConsumerRecord<String, byte[]>> records = learnerTopic.await(
                r -> isOfType(r, id, EventType.LEARNER_REGISTERED.type()), 1, EVENT_DEADLINE);

        assertThat(records).hasSize(1);
        JsonNode event = cloudEvent(records.getFirst());
        assertThat(event.path("subject").asString()).isEqualTo(id);
        assertThat(event.path("source").asString()).isEqualTo("/pathways/learner-profile-service");
        JsonNode data = event.path("data");
        assertThat(data.path("learnerId").asString()).isEqualTo(id);
        assertThat(data.path("registeringAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(data.path("localityCode").asString()).isEqualTo("LS6");
        assertThat(data.path("registeredAt").asString()).isNotBlank();
        String published = new String(records.getFirst().value(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(published).doesNotContain("Amina", "Okafor", "Mina", "amina.okafor@example.org",
                "+44 7700 900123", "1994-03-17");
    }

    @Test
    void theRegisteringAgencyReadsTheProfileAndAnyOtherAgencyIsToldItDoesNotExist() {
        String id = registerLearner(COLLEGE);

        HttpApi.Response own = api().get("/api/learners/" + id, TestTokens.worker(COLLEGE));
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.text("familyName")).isEqualTo("Okafor");
        assertThat(own.text("email")).isEqualTo("amina.okafor@example.org");

        HttpApi.Response other = api().get("/api/learners/" + id, TestTokens.worker(COUNCIL));
        HttpApi.Response unknown = api().get("/api/learners/lrn-does-not-exist", TestTokens.worker(COUNCIL));
        assertThat(other.isProblem(404, "not-found")).isTrue();
        assertThat(unknown.isProblem(404, "not-found")).isTrue();
        assertThat(other.body().toString()).doesNotContain("Okafor");
    }

    @Test
    void everyLearnerEndpointRefusesAMissingForgedOrExpiredToken() {
        String id = registerLearner(COLLEGE);
        for (String token : new String[] {null, TestTokens.forged(COLLEGE), TestTokens.expired(COLLEGE),
                "not-a-jwt"}) {
            assertThat(api().get("/api/learners/" + id, token).isProblem(401, "unauthenticated")).isTrue();
            assertThat(api().post("/api/learners", token, learnerDetails()).status()).isEqualTo(401);
            assertThat(api().post("/api/learners/" + id + "/consents", token,
                    Map.of("agencyId", COUNCIL, "purpose", "CONTACT", "method", "VERBAL")).status())
                    .isEqualTo(401);
            assertThat(api().get("/api/learners/" + id + "/consents/check?agencyId=x&purpose=CONTACT", token)
                    .status()).isEqualTo(401);
        }
    }

    @Test
    void aTokenWithoutAnAgencyIsRefused() {
        String id = registerLearner(COLLEGE);
        assertThat(api().get("/api/learners/" + id, TestTokens.token("someone", null, Role.WORKER)).status())
                .isEqualTo(401);
    }

    @Test
    void onlyWorkersAndAgencySystemsRegisterLearners() {
        HttpApi.Response coordinator = api().post("/api/learners",
                TestTokens.token("coordinator-1", COLLEGE, Role.COORDINATOR), learnerDetails());
        assertThat(coordinator.isProblem(403, "forbidden")).isTrue();

        HttpApi.Response system = api().post("/api/learners",
                TestTokens.token("college-mis", COLLEGE, Role.AGENCY_SYSTEM), learnerDetails());
        assertThat(system.status()).isEqualTo(201);
    }

    @Test
    void textIsTidiedAndTheLocalityCodeUpperCased() {
        Map<String, Object> details = learnerDetails();
        details.put("givenName", "  Amina ");
        details.put("localityCode", "ls6");
        details.put("preferredName", " ");
        details.remove("email");
        details.remove("phone");

        HttpApi.Response response = api().post("/api/learners", TestTokens.worker(COLLEGE), details);

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.text("givenName")).isEqualTo("Amina");
        assertThat(response.text("localityCode")).isEqualTo("LS6");
        assertThat(response.body().path("preferredName").isNull()).isTrue();
        assertThat(response.body().path("email").isNull()).isTrue();
    }

    @Test
    void theDateOfBirthIsStoredAsACalendarDateAndTheOutboxIsEmptiedOnceRelayed() {
        String id = registerLearner(COLLEGE);
        org.bson.Document stored = mongo.findById(id, org.bson.Document.class, "learners");
        assertThat(stored.get("dateOfBirth")).isEqualTo("1994-03-17");
        await().atMost(EVENT_DEADLINE).untilAsserted(() -> assertThat(mongo.findById(id, org.bson.Document.class,
                "learners").getList("outbox", org.bson.Document.class, List.of())).as("relayed").isEmpty());
    }
}
