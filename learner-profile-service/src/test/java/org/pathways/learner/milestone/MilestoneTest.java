package org.pathways.learner.milestone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.Topic;
import org.pathways.testing.EventProducer;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.pathways.testing.RecordedTopic;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class MilestoneTest extends LearnerProfileServiceTest {

    @RegisterExtension
    static final RecordedTopic learnerTopic = new RecordedTopic(Topic.LEARNERS.topicName());
    private static EventProducer referralService;

    @Autowired
    EventInbox inbox;

    @BeforeAll
    static void connect() {
        referralService = new EventProducer();
    }

    @AfterAll
    static void disconnect() {
        referralService.close();
    }

    private HttpApi.Response record(String learnerId, String agency, Map<String, Object> milestone) {
        return api().post("/api/learners/" + learnerId + "/milestones", TestTokens.worker(agency), milestone);
    }

    private List<JsonNode> timeline(String learnerId, String agency) {
        HttpApi.Response response = api().get("/api/learners/" + learnerId + "/milestones",
                TestTokens.worker(agency));
        assertThat(response.status()).isEqualTo(200);
        return response.body().valueStream().toList();
    }

    private static Map<String, Object> referralData(String referralId, String learnerId, String receivingAgency) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("referralId", referralId);
        data.put("learnerId", learnerId);
        data.put("opportunityId", "opp-esol-e2");
        data.put("referringAgencyId", COUNCIL);
        data.put("receivingAgencyId", receivingAgency);
        data.put("status", "ACCEPTED");
        data.put("someFieldAddedLater", 42);
        return data;
    }

    @Test
    void aWorkerRecordsStepsAndTheTimelineListsThemInOrder() {
        String id = registerLearner(COLLEGE);
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String lastWeek = LocalDate.now(ZoneOffset.UTC).minusDays(7).toString();

        assertThat(record(id, COLLEGE, Map.of("kind", "INITIAL_ASSESSMENT", "occurredOn", today)).status())
                .isEqualTo(201);
        HttpApi.Response first = record(id, COLLEGE, Map.of("kind", "FIRST_CONTACT", "occurredOn", lastWeek));
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.text("id")).matches("mls-[0-9a-f-]{36}");
        assertThat(first.text("source")).isEqualTo("WORKER");
        assertThat(first.text("recordedByAgencyId")).isEqualTo(COLLEGE);

        assertThat(timeline(id, COLLEGE)).extracting(m -> m.path("kind").asString())
                .containsExactly("FIRST_CONTACT", "INITIAL_ASSESSMENT");
    }

    @Test
    void theSameRequestSentAgainOrTwiceAtOnceRecordsOneMilestone() throws Exception {
        String id = registerLearner(COLLEGE);
        Map<String, Object> step = Map.of("kind", "FIRST_CONTACT", "occurredOn",
                LocalDate.now(ZoneOffset.UTC).toString());
        String key = "form-" + java.util.UUID.randomUUID();
        // A double click: two at once with the form's key, then the same again after a timeout.
        List<HttpApi.Response> answers = new java.util.ArrayList<>();
        try (var clicks = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            var both = List.of(
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> send("POST", "/api/learners/" + id
                            + "/milestones", TestTokens.worker(COLLEGE), step, "Idempotency-Key", key), clicks),
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> send("POST", "/api/learners/" + id
                            + "/milestones", TestTokens.worker(COLLEGE), step, "Idempotency-Key", key), clicks));
            both.forEach(answer -> answers.add(answer.join()));
        }
        answers.add(send("POST", "/api/learners/" + id + "/milestones", TestTokens.worker(COLLEGE), step,
                "Idempotency-Key", key));

        assertThat(answers).extracting(HttpApi.Response::status).containsExactlyInAnyOrder(201, 200, 200);
        assertThat(answers).extracting(answer -> answer.text("id")).containsOnly(answers.getFirst().text("id"));
        assertThat(timeline(id, COLLEGE)).hasSize(1);
        // The key is the sending agency's: another agency's request with the same key is its own.
        consentTo(id, COLLEGE, COUNCIL, "OUTCOME_SHARING");
        assertThat(send("POST", "/api/learners/" + id + "/milestones", TestTokens.worker(COUNCIL), step,
                "Idempotency-Key", key).status()).isIn(201, 403);
        // Without a key, each request is a milestone of its own, as before.
        assertThat(record(id, COLLEGE, step).status()).isEqualTo(201);
        assertThat(send("POST", "/api/learners/" + id + "/milestones", TestTokens.worker(COLLEGE), step,
                "Idempotency-Key", "not a key").status()).isEqualTo(400);
    }

    @Test
    void nonFormalAndInformalAchievementsAreFirstClassMilestones() {
        String id = registerLearner(COLLEGE);
        String today = LocalDate.now(ZoneOffset.UTC).toString();

        HttpApi.Response nonFormal = record(id, COLLEGE, Map.of("kind", "ACHIEVEMENT_GAINED", "occurredOn", today,
                "learningKind", "NON_FORMAL", "level", "E3", "title", "Community cooking course (RARPA recognised)"));
        HttpApi.Response informal = record(id, COLLEGE, Map.of("kind", "ACHIEVEMENT_GAINED", "occurredOn", today,
                "learningKind", "INFORMAL", "title", "Led the allotment volunteers"));
        HttpApi.Response accredited = record(id, COLLEGE, Map.of("kind", "ACHIEVEMENT_GAINED", "occurredOn", today,
                "learningKind", "FORMAL", "level", "L2", "accredited", true, "title", "Functional Skills Maths"));

        assertThat(nonFormal.status()).isEqualTo(201);
        assertThat(nonFormal.body().path("accredited").asBoolean()).isFalse();
        assertThat(nonFormal.text("level")).isEqualTo("E3");
        assertThat(informal.status()).isEqualTo(201);
        assertThat(accredited.body().path("accredited").asBoolean()).isTrue();
        assertThat(record(id, COLLEGE, Map.of("kind", "ACHIEVEMENT_GAINED", "occurredOn", today,
                "learningKind", "NON_FORMAL", "accredited", true)).isProblem(422, "accredited-needs-formal-learning"))
                .isTrue();
        assertThat(record(id, COLLEGE, Map.of("kind", "ACHIEVEMENT_GAINED", "occurredOn", today))
                .isProblem(422, "achievement-needs-learning-kind")).isTrue();
        assertThat(record(id, COLLEGE, Map.of("kind", "ENROLLED", "occurredOn", today, "level", "L2"))
                .isProblem(422, "only-achievements-have-levels")).isTrue();
        assertThat(record(id, COLLEGE, Map.of("kind", "INTO_WORK",
                "occurredOn", LocalDate.now(ZoneOffset.UTC).plusDays(2).toString()))
                .isProblem(422, "milestone-in-future")).isTrue();
    }

    @Test
    void recordingAMilestonePublishesCodesAndDatesOnly() {
        String id = registerLearner(COLLEGE);
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String milestoneId = record(id, COLLEGE, Map.of("kind", "ACHIEVEMENT_GAINED", "occurredOn", today,
                "learningKind", "FORMAL", "level", "L1", "accredited", true, "title", "Secret title text"))
                .text("id");

        List<ConsumerRecord<String, byte[]>> records = learnerTopic.await(
                r -> isOfType(r, id, EventType.MILESTONE_RECORDED.type()), 1, EVENT_DEADLINE);

        assertThat(records).hasSize(1);
        JsonNode data = cloudEvent(records.getFirst()).path("data");
        assertThat(data.path("milestoneId").asString()).isEqualTo(milestoneId);
        assertThat(data.path("milestone").asString()).isEqualTo("ACHIEVEMENT_GAINED");
        assertThat(data.path("occurredOn").asString()).isEqualTo(today);
        assertThat(data.path("level").asString()).isEqualTo("L1");
        assertThat(data.path("accredited").asBoolean()).isTrue();
        assertThat(new String(records.getFirst().value(), StandardCharsets.UTF_8))
                .doesNotContain("Secret title text", "Amina", "Okafor");
    }

    @Test
    void theTimelineIsReadOnlyByTheRegisteringAgencyAndOnAConsentToOutcomeSharing() {
        String id = registerLearner(COLLEGE);
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        assertThat(record(id, COLLEGE, Map.of("kind", "FIRST_CONTACT", "occurredOn", today)).status()).isEqualTo(201);
        api().post("/api/learners/" + id + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "REFERRAL_SHARING", "method", "WRITTEN"));
        api().post("/api/learners/" + id + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "CONTACT", "method", "WRITTEN"));

        assertThat(api().get("/api/learners/" + id, TestTokens.worker(COUNCIL)).status())
                .as("the council may read the profile").isEqualTo(200);
        assertThat(api().get("/api/learners/" + id + "/milestones", TestTokens.worker(COUNCIL)).isProblem(404,
                "not-found")).as("but not the timeline: none of its consents is for outcomes").isTrue();

        String outcomes = api().post("/api/learners/" + id + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "OUTCOME_SHARING", "method", "WRITTEN")).text("id");
        assertThat(timeline(id, COUNCIL)).extracting(m -> m.path("kind").asString()).containsExactly("FIRST_CONTACT");
        JsonNode audited = api().get("/api/learners/" + id + "/audit", TestTokens.worker(COLLEGE)).body()
                .valueStream().toList().getLast();
        assertThat(audited.path("action").asString()).isEqualTo("READ_MILESTONES");
        assertThat(audited.path("grounds").toString()).as("the outcome consent, not the others")
                .isEqualTo("[\"consent:" + outcomes + "\"]");

        api().delete("/api/learners/" + id + "/consents/" + outcomes, TestTokens.worker(COLLEGE));
        assertThat(api().get("/api/learners/" + id + "/milestones", TestTokens.worker(COUNCIL)).status())
                .isEqualTo(404);
    }

    @Test
    void onlyAgenciesThatMaySeeTheLearnerRecordOrReadMilestones() {
        String id = registerLearner(COLLEGE);
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        assertThat(record(id, COUNCIL, Map.of("kind", "FIRST_CONTACT", "occurredOn", today))
                .isProblem(404, "not-found")).isTrue();
        assertThat(api().get("/api/learners/" + id + "/milestones", TestTokens.worker(COUNCIL)).status())
                .isEqualTo(404);
        assertThat(api().post("/api/learners/" + id + "/milestones",
                TestTokens.token("coordinator-1", COLLEGE, Role.COORDINATOR),
                Map.of("kind", "FIRST_CONTACT", "occurredOn", today)).isProblem(403, "forbidden")).isTrue();
    }

    @Test
    void referralEventsBecomeMilestonesOnceEachAndOthersAreIgnored() {
        String id = registerLearner(COUNCIL);
        String referralId = "ref-" + java.util.UUID.randomUUID();
        String topic = Topic.REFERRALS.topicName();
        Map<String, Object> data = referralData(referralId, id, COLLEGE);

        referralService.publishRaw(topic, "org.pathways.referral.submitted.v1", referralId, data);
        referralService.publishRaw(topic, "org.pathways.referral.received.v1", referralId, data);
        String accepted = referralService.publishRaw(topic, "org.pathways.referral.accepted.v1", referralId, data);
        referralService.publishRaw(topic, accepted, "org.pathways.referral.accepted.v1", referralId, data);
        referralService.publishRaw(topic, "org.pathways.referral.started.v1", referralId, data);
        String completed = referralService.publishRaw(topic, "org.pathways.referral.completed.v1", referralId, data);

        await().atMost(EVENT_DEADLINE).untilAsserted(() -> assertThat(timeline(id, COUNCIL))
                .extracting(m -> m.path("kind").asString())
                .containsExactly("ENROLLED", "ATTENDED", "COMPLETED"));
        await().atMost(EVENT_DEADLINE).until(() -> inbox.processedCount("referral-milestones") > 0
                && timeline(id, COUNCIL).size() == 3);
        JsonNode enrolled = timeline(id, COUNCIL).getFirst();
        assertThat(enrolled.path("source").asString()).isEqualTo("REFERRAL_EVENT");
        assertThat(enrolled.path("referralId").asString()).isEqualTo(referralId);
        assertThat(enrolled.path("opportunityId").asString()).isEqualTo("opp-esol-e2");
        assertThat(enrolled.path("recordedByAgencyId").asString()).isEqualTo(COLLEGE);

        // A redelivery of "completed" later adds nothing either. A marker after it on the same key (so on the same
        // partition, handled after it) shows when the redelivery has been dealt with; no fixed wait.
        referralService.publishRaw(topic, completed, "org.pathways.referral.completed.v1", referralId, data);
        String marker = referralService.publishRaw(topic, "org.pathways.referral.note-added.v1", referralId,
                Map.of("referralId", referralId, "noteId", "note-1"));
        // A note means no step: the milestones pass it over, and the relationships' handler, after them in the same
        // batch, marks it done.
        awaitHandled("referral-relationships", marker);
        assertThat(timeline(id, COUNCIL)).hasSize(3);
        // A milestone and its event are one write, so three milestones mean three events, and no more.
        assertThat(learnerTopic.await(r -> isOfType(r, id, EventType.MILESTONE_RECORDED.type()), 3,
                EVENT_DEADLINE)).hasSize(3);
    }

    @Test
    void referralEventsForUnknownLearnersOrWithoutALearnerDoNotBlockTheOthers() {
        String id = registerLearner(COUNCIL);
        String topic = Topic.REFERRALS.topicName();
        referralService.publishRaw(topic, "org.pathways.referral.accepted.v1", "ref-x",
                referralData("ref-x", "lrn-unknown-here", COLLEGE));
        Map<String, Object> noLearner = referralData("ref-y", "lrn-y", COLLEGE);
        noLearner.remove("learnerId");
        referralService.publishRaw(topic, "org.pathways.referral.accepted.v1", "ref-y", noLearner);
        referralService.publishRaw(topic, "org.pathways.referral.started.v1", "ref-z", referralData("ref-z", id, HOUSING));

        await().atMost(EVENT_DEADLINE).untilAsserted(() -> assertThat(timeline(id, COUNCIL))
                .extracting(m -> m.path("kind").asString()).containsExactly("ATTENDED"));
    }

    @Test
    void hostileMilestonesAreBadRequests() {
        String id = registerLearner(COLLEGE);
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        for (String body : List.of(
                "{\"kind\": {\"$gt\": \"\"}, \"occurredOn\": \"" + today + "\"}",
                "{\"kind\": \"GRADUATED\", \"occurredOn\": \"" + today + "\"}",
                "{\"kind\": 3, \"occurredOn\": \"" + today + "\"}",
                "{\"kind\": \"ENROLLED\", \"occurredOn\": \"last week\"}",
                "{\"kind\": \"ENROLLED\"}",
                "{\"kind\": \"ENROLLED\", \"occurredOn\": \"" + today + "\", \"recordedByAgencyId\": \"x\"}",
                "{\"kind\": \"ACHIEVEMENT_GAINED\", \"occurredOn\": \"" + today + "\", \"learningKind\": \"FORMAL\","
                        + " \"title\": \"" + "x".repeat(5000) + "\"}",
                "{\"kind\": \"ENROLLED\", \"occurredOn\": \"" + today + "\", \"opportunityId\": \"opp 1; drop\"}")) {
            HttpApi.Response response = api().post("/api/learners/" + id + "/milestones",
                    TestTokens.worker(COLLEGE), body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
    }
}
