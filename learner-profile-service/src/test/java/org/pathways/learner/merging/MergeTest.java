package org.pathways.learner.merging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.Topic;
import org.pathways.testing.EventProducer;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.pathways.testing.RecordedTopic;
import tools.jackson.databind.JsonNode;

class MergeTest extends LearnerProfileServiceTest {

    @RegisterExtension
    static final RecordedTopic learnerTopic = new RecordedTopic(Topic.LEARNERS.topicName());

    private String register(String agency, Map<String, Object> person) {
        person.put("confirmNotDuplicate", true);
        HttpApi.Response response = api().post("/api/learners", TestTokens.worker(agency), person);
        assertThat(response.status()).isEqualTo(201);
        return response.text("id");
    }

    private HttpApi.Response merge(String agency, String into, String other) {
        return api().post("/api/learners/" + into + "/merge", TestTokens.worker(agency),
                Map.of("otherLearnerId", other));
    }

    private String consent(String learnerId) {
        HttpApi.Response granted = api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "REFERRAL_SHARING", "method", "WRITTEN"));
        assertThat(granted.status()).isEqualTo(201);
        return granted.text("id");
    }

    private JsonNode consentOn(String learnerId, String consentId) {
        return api().get("/api/learners/" + learnerId, TestTokens.worker(COLLEGE)).body().path("consents")
                .valueStream().filter(c -> c.path("id").asString().equals(consentId)).findFirst().orElseThrow();
    }

    private boolean councilMayRefer(String learnerId) {
        return api().get("/api/learners/" + learnerId + "/consents/check?agencyId=" + COUNCIL
                + "&purpose=REFERRAL_SHARING", TestTokens.worker(COLLEGE)).body().path("allowed").asBoolean();
    }

    private String onlyConsentOf(String learnerId) {
        List<JsonNode> consents = api().get("/api/learners/" + learnerId, TestTokens.worker(COLLEGE)).body()
                .path("consents").valueStream().toList();
        assertThat(consents).hasSize(1);
        return consents.getFirst().path("id").asString();
    }

    @Test
    void aConsentCarriedAcrossAMergeIsWithdrawnOnBothRecordsWhicheverTheWorkerOpens() {
        String born = uniqueBirthDate();
        // The consent copied to the survivor, withdrawn there: the retired record's original goes too.
        String survivor = register(COLLEGE, uniquePerson("Dana", "Mirza", born));
        String retired = register(COLLEGE, uniquePerson("Danielle", "Mirza", born));
        String original = consent(retired);
        assertThat(merge(COLLEGE, survivor, retired).status()).isEqualTo(200);
        String copy = onlyConsentOf(survivor);
        assertThat(api().delete("/api/learners/" + survivor + "/consents/" + copy, TestTokens.worker(COLLEGE))
                .status()).isEqualTo(200);
        assertThat(consentOn(retired, original).path("active").asBoolean()).isFalse();
        assertThat(councilMayRefer(retired)).isFalse();
        assertThat(learnerTopic.await(r -> isOfType(r, retired, EventType.CONSENT_WITHDRAWN.type()), 1,
                EVENT_DEADLINE)).as("every service stops counting it under the retired id too").hasSize(1);

        // The survivor had a consent of the same scope already: it stands for the other's, and takes it with it.
        String born2 = uniqueBirthDate();
        String keeper = register(COLLEGE, uniquePerson("Ola", "Nwosu", born2));
        String kept = consent(keeper);
        String folded = register(COLLEGE, uniquePerson("Olamide", "Nwosu", born2));
        String foldedConsent = consent(folded);
        assertThat(merge(COLLEGE, keeper, folded).status()).isEqualTo(200);
        assertThat(onlyConsentOf(keeper)).isEqualTo(kept);
        assertThat(api().delete("/api/learners/" + keeper + "/consents/" + kept, TestTokens.worker(COLLEGE))
                .status()).isEqualTo(200);
        assertThat(councilMayRefer(folded)).isFalse();
        assertThat(consentOn(folded, foldedConsent).path("active").asBoolean()).isFalse();

        // Withdrawn on the retired record, the survivor's copy goes too.
        String born3 = uniqueBirthDate();
        String carrier = register(COLLEGE, uniquePerson("Sam", "Okoro", born3));
        String gone = register(COLLEGE, uniquePerson("Samuel", "Okoro", born3));
        String first = consent(gone);
        assertThat(merge(COLLEGE, carrier, gone).status()).isEqualTo(200);
        assertThat(councilMayRefer(carrier)).isTrue();
        assertThat(api().delete("/api/learners/" + gone + "/consents/" + first, TestTokens.worker(COLLEGE))
                .status()).isEqualTo(200);
        assertThat(councilMayRefer(carrier)).as("the survivor's copy is withdrawn with it").isFalse();
    }

    @Test
    void aMergeStoppedBeforeTheOtherRecordWasRetiredCarriesWhatItWasGivenSinceWhenSentAgain() {
        String born = uniqueBirthDate();
        String survivor = register(COLLEGE, uniquePerson("Ines", "Duarte", born));
        String survivorsOwn = consent(survivor);
        String other = register(COLLEGE, uniquePerson("Inês", "Duarte", born));
        assertThat(merge(COLLEGE, survivor, other).status()).isEqualTo(200);
        // Stopped before the other record was retired; meanwhile the other record was given the same consent.
        mongo.updateFirst(org.springframework.data.mongodb.core.query.Query.query(
                        org.springframework.data.mongodb.core.query.Criteria.where("_id").is(other)),
                new org.springframework.data.mongodb.core.query.Update().unset("mergedInto"), "learners");
        String given = consent(other);

        assertThat(merge(COLLEGE, survivor, other).status()).as("sent again").isEqualTo(200);
        assertThat(api().get("/api/learners/" + other, TestTokens.worker(COLLEGE)).text("mergedInto"))
                .isEqualTo(survivor);

        // The survivor's own consent stands for it now: withdrawing it there withdraws the other's too.
        assertThat(api().delete("/api/learners/" + survivor + "/consents/" + survivorsOwn,
                TestTokens.worker(COLLEGE)).status()).isEqualTo(200);
        assertThat(councilMayRefer(other)).isFalse();
        assertThat(consentOn(other, given).path("active").asBoolean()).isFalse();
    }

    @Test
    void aConsentTheSurvivorCarriesForTwoOfTheOthersStaysUntilBothAreWithdrawn() {
        String born = uniqueBirthDate();
        String survivor = register(COLLEGE, uniquePerson("Tomasz", "Wrona", born));
        String other = register(COLLEGE, uniquePerson("Tom", "Wrona", born));
        // Two consents of one scope on the other record: given aloud, then in writing.
        String spoken = api().post("/api/learners/" + other + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "REFERRAL_SHARING", "method", "VERBAL")).text("id");
        String written = consent(other);
        assertThat(merge(COLLEGE, survivor, other).status()).isEqualTo(200);

        assertThat(api().delete("/api/learners/" + other + "/consents/" + spoken, TestTokens.worker(COLLEGE))
                .status()).isEqualTo(200);
        assertThat(councilMayRefer(survivor)).as("the written consent still counts, on both records").isTrue();
        assertThat(councilMayRefer(other)).isTrue();
        assertThat(api().delete("/api/learners/" + other + "/consents/" + written, TestTokens.worker(COLLEGE))
                .status()).isEqualTo(200);
        assertThat(councilMayRefer(survivor)).isFalse();
    }

    @Test
    void aConsentWithdrawnFromTheOtherRecordWhileItIsMergedNeverStaysInForceOnTheSurvivor() throws Exception {
        // The survivor takes a copy of the other's consents, then the other is retired: a withdrawal in between, on
        // the other record, is carried to the survivor's copy once the other is retired. Raced round after round.
        for (int round = 0; round < 8; round++) {
            String born = uniqueBirthDate();
            String survivor = register(COLLEGE, uniquePerson("Nils", "Ekdahl", born));
            String other = register(COLLEGE, uniquePerson("Nils", "Ekdahl" + (char) ('a' + round), born));
            String consentId = consent(other);
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            try (var both = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                var merged = both.submit(() -> {
                    start.await();
                    return merge(COLLEGE, survivor, other).status();
                });
                var withdrawn = both.submit(() -> {
                    start.await();
                    return api().delete("/api/learners/" + other + "/consents/" + consentId,
                            TestTokens.worker(COLLEGE)).status();
                });
                start.countDown();
                int mergeStatus = merged.get();
                int withdrawalStatus = withdrawn.get();
                assertThat(mergeStatus).as("round %d: the merge", round).isEqualTo(200);
                assertThat(withdrawalStatus).as("round %d: the withdrawal", round).isIn(200, 409);
                if (withdrawalStatus == 200) {
                    assertThat(councilMayRefer(survivor)).as("round %d: withdrawn from the other record", round)
                            .isFalse();
                }
            }
        }
    }

    @Test
    void anExplicitMergeKeepsBothHistoriesAndRetiresTheOtherRecord() {
        String born = uniqueBirthDate();
        Map<String, Object> first = uniquePerson("Bob", "Kowalczyk", born);
        String survivor = register(COLLEGE, first);
        Map<String, Object> second = uniquePerson("Robert", "Kowalczyk", born);
        second.put("goals", "Drive a forklift");
        second.put("phone", "07700 900777");
        String retired = register(COLLEGE, second);
        api().post("/api/learners/" + retired + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "REFERRAL_SHARING", "method", "WRITTEN"));
        String milestoneId = api().post("/api/learners/" + retired + "/milestones", TestTokens.worker(COLLEGE),
                Map.of("kind", "FIRST_CONTACT", "occurredOn", LocalDate.now(ZoneOffset.UTC).toString())).text("id");

        HttpApi.Response merged = merge(COLLEGE, survivor, retired);

        assertThat(merged.status()).isEqualTo(200);
        assertThat(merged.text("givenName")).as("the surviving record's own details stay").isEqualTo("Bob");
        assertThat(merged.text("goals")).as("blanks are filled from the other").isEqualTo("Drive a forklift");
        assertThat(merged.text("phone")).isEqualTo("07700 900777");
        assertThat(merged.body().path("mergedFromLearnerIds").get(0).asString()).isEqualTo(retired);
        assertThat(api().get("/api/learners/" + survivor + "/milestones", TestTokens.worker(COLLEGE)).body()
                .valueStream().map(m -> m.path("id").asString()).toList()).containsExactly(milestoneId);
        assertThat(api().get("/api/learners/" + survivor + "/consents/check?agencyId=" + COUNCIL
                + "&purpose=REFERRAL_SHARING", TestTokens.worker(COLLEGE)).body().path("allowed").asBoolean())
                .as("the consent in force moves with the person").isTrue();

        HttpApi.Response old = api().get("/api/learners/" + retired, TestTokens.worker(COLLEGE));
        assertThat(old.status()).as("the retired record and its history are kept").isEqualTo(200);
        assertThat(old.text("mergedInto")).isEqualTo(survivor);
        assertThat(old.text("givenName")).isEqualTo("Robert");
        assertThat(api().get("/api/learners/" + retired + "/milestones", TestTokens.worker(COLLEGE)).body())
                .hasSize(1);
        assertThat(send("PATCH", "/api/learners/" + retired, TestTokens.worker(COLLEGE),
                Map.of("goals", "x", "version", old.body().path("version").asLong()))
                .isProblem(409, "learner-merged")).isTrue();

        List<ConsumerRecord<String, byte[]>> mergedEvents = learnerTopic.await(
                r -> isOfType(r, retired, EventType.LEARNER_MERGED.type()), 1, EVENT_DEADLINE);
        assertThat(mergedEvents).hasSize(1);
        JsonNode data = cloudEvent(mergedEvents.getFirst()).path("data");
        assertThat(data.path("survivingLearnerId").asString()).isEqualTo(survivor);
        assertThat(learnerTopic.await(r -> isOfType(r, survivor, EventType.CONSENT_GRANTED.type()), 1,
                EVENT_DEADLINE)).hasSize(1);
    }

    @Test
    void referralEventsForTheRetiredIdLandOnTheSurvivorAndErasureTakesBoth() {
        String born = uniqueBirthDate();
        String survivor = register(COUNCIL, uniquePerson("Elizabeth", "Achterberg", born));
        String retired = register(COUNCIL, uniquePerson("Liz", "Achterberg", born));
        assertThat(merge(COUNCIL, survivor, retired).status()).isEqualTo(200);

        try (EventProducer referralService = new EventProducer()) {
            referralService.publishRaw(Topic.REFERRALS.topicName(), "org.pathways.referral.accepted.v1", "ref-m",
                    Map.of("referralId", "ref-m", "learnerId", retired, "receivingAgencyId", COLLEGE));
        }
        await().atMost(EVENT_DEADLINE).untilAsserted(() -> assertThat(api().get("/api/learners/" + survivor
                + "/milestones", TestTokens.worker(COUNCIL)).body()).hasSize(1));

        assertThat(api().delete("/api/learners/" + survivor, TestTokens.worker(COUNCIL)).status()).isEqualTo(200);
        assertThat(api().get("/api/learners/" + retired, TestTokens.worker(COUNCIL)).isProblem(410,
                "learner-erased")).isTrue();
        assertThat(learnerTopic.await(r -> isOfType(r, retired, EventType.LEARNER_ERASED.type()), 1,
                EVENT_DEADLINE)).hasSize(1);
    }

    @Test
    void recordsOfDifferentAgenciesAreLinkedNeverMerged() {
        String born = uniqueBirthDate();
        String atCollege = register(COLLEGE, uniquePerson("Fatima", "Begum", born));
        String atCouncil = register(COUNCIL, uniquePerson("Fatima", "Begum", born));
        assertThat(merge(COLLEGE, atCollege, atCouncil).isProblem(404, "not-found")).isTrue();
        assertThat(merge(COLLEGE, atCollege, atCollege).isProblem(422, "merge-with-itself")).isTrue();
        assertThat(api().post("/api/learners/" + atCollege + "/merge", TestTokens.worker(COLLEGE),
                "{\"otherLearnerId\": {\"$gt\": \"\"}}").status()).isEqualTo(400);
    }
}
