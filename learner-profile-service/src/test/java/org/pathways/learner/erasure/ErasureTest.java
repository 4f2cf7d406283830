package org.pathways.learner.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.Topic;
import org.pathways.testing.EventProducer;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.LearnerRepository;
import org.pathways.learner.milestone.ReferralProgress;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.pathways.testing.RecordedTopic;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import tools.jackson.databind.JsonNode;

class ErasureTest extends LearnerProfileServiceTest {

    @RegisterExtension
    static final RecordedTopic learnerTopic = new RecordedTopic(Topic.LEARNERS.topicName());

    @Autowired
    MongoTemplate mongo;
    @Autowired
    LearnerRepository learners;
    @Autowired
    org.pathways.messaging.outbox.Outbox outbox;

    /** Every document in every collection of this service's database, as raw JSON. */
    private String everythingStored() {
        StringBuilder all = new StringBuilder();
        for (String collection : mongo.getCollectionNames()) {
            mongo.findAll(Document.class, collection).forEach(document -> all.append(document.toJson()).append('\n'));
        }
        return all.toString();
    }

    @Test
    void erasureLeavesNoPersonalDataInTheServiceAndIsPublished() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String given = "Zephyrine" + tag;
        String family = "Quillfeather" + tag;
        String email = "zq-" + tag + "@example.org";
        String phone = "07700 9" + tag.replaceAll("[^0-9]", "1").substring(0, 5);
        String goals = "Goal-" + tag + " open a bakery";
        String achievement = "Achievement-" + tag;
        String milestoneTitle = "Milestone-" + tag;
        Map<String, Object> person = uniquePerson(given, family, "1987-06-05");
        person.put("preferredName", "Zeph" + tag);
        person.put("email", email);
        person.put("phone", phone);
        person.put("goals", goals);
        person.put("accessibilityNeeds", "Needs-" + tag);
        person.put("interests", List.of("Interest-" + tag));
        person.put("priorAchievements", List.of(Map.of("title", achievement, "kind", "INFORMAL")));
        person.put("confirmNotDuplicate", true);
        HttpApi.Response registered = api().post("/api/learners", TestTokens.worker(COLLEGE), person);
        assertThat(registered.status()).isEqualTo(201);
        String id = registered.text("id");
        api().post("/api/learners/" + id + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "CONTACT", "method", "VERBAL"));
        api().post("/api/learners/" + id + "/milestones", TestTokens.worker(COLLEGE),
                Map.of("kind", "ACHIEVEMENT_GAINED", "occurredOn", LocalDate.now(ZoneOffset.UTC).toString(),
                        "learningKind", "NON_FORMAL", "title", milestoneTitle));
        api().get("/api/learners/" + id, TestTokens.worker(COUNCIL));
        assertThat(everythingStored()).contains(given, email);

        HttpApi.Response erased = api().delete("/api/learners/" + id, TestTokens.worker(COLLEGE));

        assertThat(erased.status()).isEqualTo(200);
        assertThat(erased.text("id")).isEqualTo(id);
        assertThat(erased.text("registeringAgencyId")).isEqualTo(COLLEGE);
        assertThat(erased.body().path("consents").asInt()).isEqualTo(1);
        assertThat(erased.body().path("milestones").asInt()).isEqualTo(1);
        assertThat(erased.body().path("achievements").asInt()).isEqualTo(1);
        String stored = everythingStored();
        assertThat(stored).contains(id);
        for (String personal : List.of(tag, given, family, email, phone, phone.replace(" ", ""), "1987-06-05",
                goals, achievement, milestoneTitle, "Zeph" + tag)) {
            assertThat(stored).as("no trace of " + personal).doesNotContain(personal);
        }

        List<ConsumerRecord<String, byte[]>> records = learnerTopic.await(
                r -> isOfType(r, id, EventType.LEARNER_ERASED.type()), 1, EVENT_DEADLINE);
        assertThat(records).hasSize(1);
        JsonNode data = cloudEvent(records.getFirst()).path("data");
        assertThat(data.path("learnerId").asString()).isEqualTo(id);
        assertThat(data.path("registeringAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(new String(records.getFirst().value(), StandardCharsets.UTF_8)).doesNotContain(tag);
    }

    @Test
    void anErasedLearnerIsGoneForEveryoneAndTakesNoMoreChanges() {
        String id = registerLearner(COLLEGE);
        api().post("/api/learners/" + id + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "CONTACT", "method", "VERBAL"));
        assertThat(api().delete("/api/learners/" + id, TestTokens.worker(COLLEGE)).status()).isEqualTo(200);

        assertThat(api().get("/api/learners/" + id, TestTokens.worker(COLLEGE)).isProblem(410, "learner-erased"))
                .isTrue();
        assertThat(api().get("/api/learners/" + id, TestTokens.worker(COUNCIL)).isProblem(404, "not-found"))
                .as("the consented agency no longer sees anything").isTrue();
        assertThat(api().delete("/api/learners/" + id, TestTokens.worker(COLLEGE)).status())
                .as("erasing again: done already").isEqualTo(204);
        assertThat(api().delete("/api/learners/" + id, TestTokens.worker(COUNCIL)).isProblem(404, "not-found"))
                .as("to anyone else it does not exist").isTrue();
        assertThat(api().post("/api/learners/" + id + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "CONTACT", "method", "VERBAL")).status()).isEqualTo(410);
        assertThat(send("PATCH", "/api/learners/" + id, TestTokens.worker(COLLEGE),
                Map.of("goals", "x", "version", 2)).status()).isEqualTo(410);
    }

    @Test
    void anErasureInterruptedBetweenRecordsIsFinishedByAskingAgainAndEachRecordIsAnnouncedOnce() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String born = uniqueBirthDate();
        Map<String, Object> first = uniquePerson("Ottoline" + tag, "Ravensworth" + tag, born);
        first.put("confirmNotDuplicate", true);
        Map<String, Object> second = uniquePerson("Otti" + tag, "Ravensworth" + tag, born);
        second.put("confirmNotDuplicate", true);
        second.put("goals", "Goal-" + tag);
        String survivor = api().post("/api/learners", TestTokens.worker(COLLEGE), first).text("id");
        String retired = api().post("/api/learners", TestTokens.worker(COLLEGE), second).text("id");
        api().post("/api/learners/" + retired + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "CONTACT", "method", "VERBAL"));
        api().post("/api/learners/" + retired + "/milestones", TestTokens.worker(COLLEGE),
                Map.of("kind", "FIRST_CONTACT", "occurredOn", LocalDate.now(ZoneOffset.UTC).toString()));
        assertThat(api().post("/api/learners/" + survivor + "/merge", TestTokens.worker(COLLEGE),
                Map.of("otherLearnerId", retired)).status()).isEqualTo(200);

        // The first step of an erasure, then a crash: the survivor is erased, the record merged into it is not.
        Learner learner = learners.findById(survivor).orElseThrow();
        outbox.save(learner, learner.erase(COLLEGE, java.time.Instant.now()));
        assertThat(everythingStored()).as("half way").contains("Ravensworth" + tag, "Goal-" + tag);

        assertThat(api().delete("/api/learners/" + survivor, TestTokens.worker(COLLEGE)).status()).isEqualTo(204);

        assertThat(everythingStored()).as("no trace of either record's details").doesNotContain(tag);
        assertThat(mongo.findById(survivor, Document.class, "learners").get("dateOfBirth")).isNull();
        Document tombstone = mongo.findById(retired, Document.class, "learners");
        assertThat(tombstone.get("dateOfBirth")).isNull();
        assertThat(tombstone.get("erasure")).as("the merged record's tombstone").isNotNull();
        assertThat(tombstone.getList("consents", Object.class, List.of())).isEmpty();
        assertThat(tombstone.getList("milestones", Object.class, List.of())).isEmpty();
        assertThat(api().get("/api/learners/" + retired, TestTokens.worker(COUNCIL)).status()).isEqualTo(404);
        assertThat(api().delete("/api/learners/" + survivor, TestTokens.worker(COLLEGE)).status()).isEqualTo(204);
        assertThat(api().delete("/api/learners/" + retired, TestTokens.worker(COLLEGE)).status()).isEqualTo(204);

        // Once both outboxes are empty every event of theirs is on the broker; a marker after them on the same
        // key (so the same partition) proves the recorder has read everything before it.
        await().atMost(EVENT_DEADLINE).until(() -> List.of(survivor, retired).stream().allMatch(id ->
                mongo.findById(id, Document.class, "learners").getList("outbox", Object.class, List.of())
                        .isEmpty()));
        try (EventProducer markers = new EventProducer()) {
            for (String id : List.of(survivor, retired)) {
                String marker = markers.publishRaw(Topic.LEARNERS.topicName(), "org.pathways.test.marker.v1", id,
                        Map.of("learnerId", id));
                learnerTopic.await(r -> id.equals(r.key()) && marker.equals(cloudEvent(r).path("id").asString()), 1,
                        EVENT_DEADLINE);
                assertThat(learnerTopic.await(r -> isOfType(r, id, EventType.LEARNER_ERASED.type()), 1,
                        EVENT_DEADLINE)).as("erased once: " + id).hasSize(1);
            }
        }
    }

    @Test
    void onlyAWorkerOfTheRegisteringAgencyErases() {
        String id = registerLearner(COLLEGE);
        api().post("/api/learners/" + id + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "CONTACT", "method", "VERBAL"));
        assertThat(api().delete("/api/learners/" + id, TestTokens.worker(COUNCIL)).isProblem(404, "not-found"))
                .isTrue();
        assertThat(api().delete("/api/learners/" + id, TestTokens.token("coordinator-1", COLLEGE,
                org.pathways.platform.security.Role.COORDINATOR)).isProblem(403, "forbidden")).isTrue();
        assertThat(api().get("/api/learners/" + id, TestTokens.worker(COLLEGE)).status()).isEqualTo(200);
    }

    @Test
    void referralEventsForAnErasedLearnerAddNothing() {
        String id = registerLearner(COUNCIL);
        api().delete("/api/learners/" + id, TestTokens.worker(COUNCIL));
        String accepted;
        try (EventProducer referralService = new EventProducer()) {
            accepted = referralService.publishRaw(Topic.REFERRALS.topicName(), "org.pathways.referral.accepted.v1",
                    "ref-e", Map.of("referralId", "ref-e", "learnerId", id, "receivingAgencyId", COLLEGE));
        }
        // The milestone handler finished with the event (its inbox entry is done): only then does "no milestone"
        // say the erased learner was skipped, rather than that the event had not arrived yet.
        awaitHandled(ReferralProgress.HANDLER, accepted);
        assertThat(mongo.findById(id, Document.class, "learners").getList("milestones", Object.class, List.of()))
                .isEmpty();
    }
}
