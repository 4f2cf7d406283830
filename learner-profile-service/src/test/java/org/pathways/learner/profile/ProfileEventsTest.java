package org.pathways.learner.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.Topic;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.testing.HttpApi;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.pathways.testing.TestTokens;
import org.pathways.testing.RecordedTopic;
import tools.jackson.databind.JsonNode;

/** Profile updates and links are published, naming what changed or who is linked, never personal data. */
class ProfileEventsTest extends LearnerProfileServiceTest {

    @RegisterExtension
    static final RecordedTopic learnerTopic = new RecordedTopic(Topic.LEARNERS.topicName());

    private HttpApi.Response patch(String id, long version, Map<String, Object> changes) {
        return send("PATCH", "/api/learners/" + id, TestTokens.worker(COLLEGE), changes, "If-Match",
                "\"" + version + "\"");
    }

    @Test
    void anUpdatePublishesWhichPartsChangedAndNeverTheirValues() {
        String id = registerLearner(COLLEGE);
        HttpApi.Response updated = patch(id, 0, Map.of("phone", "07700 900456", "goals",
                "Train as a plumber near Chapeltown", "barriers", List.of("CARING"), "localityCode", "ls7"));
        assertThat(updated.status()).isEqualTo(200);

        List<ConsumerRecord<String, byte[]>> records = learnerTopic.await(
                r -> isOfType(r, id, EventType.LEARNER_PROFILE_UPDATED.type()), 1, EVENT_DEADLINE);

        assertThat(records).hasSize(1);
        JsonNode data = cloudEvent(records.getFirst()).path("data");
        assertThat(data.path("learnerId").asString()).isEqualTo(id);
        assertThat(data.path("version").asLong()).isEqualTo(updated.body().path("version").asLong()).isEqualTo(1);
        assertThat(data.path("changedFields").valueStream().map(JsonNode::asString).toList())
                .containsExactly("CONTACT", "LOCALITY", "BARRIERS", "GOALS");
        assertThat(data.path("localityCode").asString()).isEqualTo("LS7");
        assertThat(data.path("updatedByAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(data.path("updatedAt").asString()).isNotBlank();
        assertThat(new String(records.getFirst().value(), StandardCharsets.UTF_8))
                .doesNotContain("900456", "plumber", "Chapeltown", "CARING\"]", "Amina", "Okafor", "1994-03-17",
                        "amina.okafor@example.org");
    }

    @Autowired
    LocalityCodesCoarsened localities;

    @Test
    void aLocalityAnEarlierVersionKeptAsAFullPostcodeIsCoarsenedOnceSoChangesToTheLearnerArePublishedAgain() {
        String id = registerLearner(COLLEGE);
        String other = registerLearner(COLLEGE);
        // As an earlier version accepted it: a full postcode without its space, or with a hyphen.
        mongo.updateFirst(Query.query(Criteria.where("_id").is(id)), new Update().set("localityCode", "LS62AB"),
                "learners");
        mongo.updateFirst(Query.query(Criteria.where("_id").is(other)), new Update().set("localityCode", "SW1A-1AA"),
                "learners");

        assertThat(localities.coarsen()).isEqualTo(2);
        assertThat(localities.coarsen()).as("repeatable").isZero();

        assertThat(get("/api/learners/" + id, TestTokens.worker(COLLEGE)).body().path("localityCode").asString())
                .isEqualTo("LS6");
        assertThat(get("/api/learners/" + other, TestTokens.worker(COLLEGE)).body().path("localityCode").asString())
                .isEqualTo("SW1A");
        HttpApi.Response changed = patch(id, 0, Map.of("phone", "07700 900111"));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        List<ConsumerRecord<String, byte[]>> records = learnerTopic.await(
                r -> isOfType(r, id, EventType.LEARNER_PROFILE_UPDATED.type()), 1, EVENT_DEADLINE);
        assertThat(cloudEvent(records.getFirst()).path("data").path("localityCode").asString()).isEqualTo("LS6");
    }

    @Test
    void anUpdateThatChangesNothingPublishesNothing() {
        String id = registerLearner(COLLEGE);
        HttpApi.Response same = patch(id, 0, Map.of("givenName", "Amina"));
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.body().path("version").asLong()).as("nothing changed, so the version stays").isZero();
        HttpApi.Response empty = patch(id, 0, Map.of());
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.body().path("version").asLong()).as("an empty PATCH changes nothing either").isZero();
        // The next change is the marker: learner events are keyed by learner, so it comes after any earlier one.
        assertThat(patch(id, 0, Map.of("interests", List.of("chess"))).status()).isEqualTo(200);

        List<ConsumerRecord<String, byte[]>> records = learnerTopic.await(
                r -> isOfType(r, id, EventType.LEARNER_PROFILE_UPDATED.type())
                        && cloudEvent(r).path("data").path("changedFields").toString().contains("INTERESTS"),
                1, EVENT_DEADLINE);
        assertThat(records).hasSize(1);
        assertThat(learnerTopic.await(r -> isOfType(r, id, EventType.LEARNER_PROFILE_UPDATED.type()), 1,
                EVENT_DEADLINE)).as("only the change that changed something").hasSize(1);
    }

    @Test
    void aLinkIsPublishedOnBothRecordsWithIdsOnly() {
        String born = uniqueBirthDate();
        String atCouncil = api().post("/api/learners", TestTokens.worker(COUNCIL),
                uniquePerson("Kwame", "Mensah", born)).text("id");
        Map<String, Object> atCollegeDetails = uniquePerson("Kwame", "Mensah", born);
        atCollegeDetails.put("confirmNotDuplicate", true);
        String atCollege = api().post("/api/learners", TestTokens.worker(COLLEGE), atCollegeDetails).text("id");
        // Linking needs sight of both records.
        api().post("/api/learners/" + atCouncil + "/consents", TestTokens.worker(COUNCIL),
                Map.of("agencyId", COLLEGE, "purpose", "CONTACT", "method", "VERBAL"));

        assertThat(api().post("/api/learners/" + atCollege + "/links", TestTokens.worker(COLLEGE),
                Map.of("otherLearnerId", atCouncil)).status()).isEqualTo(201);

        JsonNode fromCollege = cloudEvent(learnerTopic.await(
                r -> isOfType(r, atCollege, EventType.LEARNER_LINKED.type()), 1, EVENT_DEADLINE).getFirst());
        JsonNode fromCouncil = cloudEvent(learnerTopic.await(
                r -> isOfType(r, atCouncil, EventType.LEARNER_LINKED.type()), 1, EVENT_DEADLINE).getFirst());
        assertThat(fromCollege.path("data").path("linkedLearnerId").asString()).isEqualTo(atCouncil);
        assertThat(fromCouncil.path("data").path("linkedLearnerId").asString()).isEqualTo(atCollege);
        assertThat(fromCouncil.path("data").path("agencyId").asString()).isEqualTo(COLLEGE);
        assertThat(fromCollege.path("data").propertyNames())
                .containsExactlyInAnyOrder("learnerId", "linkedLearnerId", "agencyId", "linkedAt");
        assertThat(fromCollege.toString() + fromCouncil).doesNotContain("Kwame", "Mensah", born, "@example.org");
    }
}
