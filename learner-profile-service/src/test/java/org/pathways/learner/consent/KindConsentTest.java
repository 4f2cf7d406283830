package org.pathways.learner.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.Topic;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencyRegistered;
import org.pathways.events.agency.AgencySector;
import org.pathways.events.agency.AgencyUpdated;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.pathways.testing.RecordedTopic;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Consent to every agency of one kind, resolved through the agencies the catalogue announces on
 * {@code pathways.agencies}.
 */
class KindConsentTest extends LearnerProfileServiceTest {

    @RegisterExtension
    static final RecordedTopic learnerTopic = new RecordedTopic(Topic.LEARNERS.topicName());
    private static EventProducer catalogue;

    @Autowired
    AgencyKinds agencyKinds;

    @BeforeAll
    static void connect() {
        catalogue = new EventProducer();
    }

    @AfterAll
    static void disconnect() {
        catalogue.close();
    }

    private static String newAgency(String kind) {
        return "agency-" + kind.toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String announce(String agencyId, AgencyKind kind) {
        return catalogue.publish(new AgencyRegistered(agencyId, kind, AgencySector.PUBLIC, true, Instant.now()));
    }

    private static Map<String, Object> kindConsent(String kind, String purpose, Instant expiresAt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agencyKind", kind);
        body.put("purpose", purpose);
        body.put("method", "WRITTEN");
        if (expiresAt != null) {
            body.put("expiresAt", expiresAt.toString());
        }
        return body;
    }

    private JsonNode check(String learnerId, String agencyId, String purpose) {
        HttpApi.Response response = api().get("/api/learners/" + learnerId + "/consents/check?agencyId=" + agencyId
                + "&purpose=" + purpose, TestTokens.worker(COLLEGE));
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }

    private void awaitKnown(String agencyId, String learnerId) {
        // The directory is read on each question, so the first "yes" shows the event has been applied.
        await().atMost(EVENT_DEADLINE).until(() -> check(learnerId, agencyId, "REFERRAL_SHARING")
                .path("allowed").asBoolean());
    }

    @Test
    void aKindConsentCoversAnAgencyOfThatKindAndSaysWhichConsentButNotAnotherKind() {
        String housing = newAgency("HOUSING");
        String health = newAgency("HEALTH");
        announce(housing, AgencyKind.HOUSING);
        announce(health, AgencyKind.HEALTH);
        String learnerId = registerLearner(COLLEGE);

        HttpApi.Response granted = api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE),
                kindConsent("HOUSING", "REFERRAL_SHARING", null));

        assertThat(granted.status()).isEqualTo(201);
        String consentId = granted.text("id");
        assertThat(granted.text("agencyKind")).isEqualTo("HOUSING");
        assertThat(granted.body().path("agencyId").isNull()).isTrue();
        awaitKnown(housing, learnerId);
        JsonNode yes = check(learnerId, housing, "REFERRAL_SHARING");
        assertThat(yes.path("basis").asString()).isEqualTo("KIND_CONSENT");
        assertThat(yes.path("consentId").asString()).isEqualTo(consentId);
        assertThat(yes.path("agencyKind").asString()).isEqualTo("HOUSING");
        assertThat(yes.path("explanation").asString()).contains("HOUSING");

        JsonNode otherKind = check(learnerId, health, "REFERRAL_SHARING");
        assertThat(otherKind.path("allowed").asBoolean()).isFalse();
        assertThat(otherKind.path("basis").asString()).isEqualTo("NO_CONSENT");
        assertThat(check(learnerId, housing, "CONTACT").path("allowed").asBoolean())
                .as("another purpose").isFalse();

        // The housing agency now sees what a referral needs, and the consent given to its kind.
        HttpApi.Response housingView = api().get("/api/learners/" + learnerId, TestTokens.worker(housing));
        assertThat(housingView.status()).isEqualTo(200);
        assertThat(housingView.text("dateOfBirth")).isEqualTo("1994-03-17");
        assertThat(housingView.body().path("email").isNull()).isTrue();
        assertThat(housingView.body().path("consents")).hasSize(1);
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(health)).status()).isEqualTo(404);

        List<ConsumerRecord<String, byte[]>> events = learnerTopic.await(
                r -> isOfType(r, learnerId, EventType.CONSENT_GRANTED.type()), 1, EVENT_DEADLINE);
        assertThat(events).hasSize(1);
        JsonNode data = cloudEvent(events.getFirst()).path("data");
        assertThat(data.path("agencyKind").asString()).isEqualTo("HOUSING");
        assertThat(data.path("agencyId").isNull() || data.path("agencyId").isMissingNode()).isTrue();
    }

    @Test
    void anAgencyOfUnknownKindIsAnsweredNoWithTheReasonUntilTheCatalogueAnnouncesIt() {
        String learnerId = registerLearner(COLLEGE);
        String consentId = api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE),
                kindConsent("LIBRARY", "REFERRAL_SHARING", null)).text("id");
        String library = newAgency("LIBRARY");

        JsonNode unknown = check(learnerId, library, "REFERRAL_SHARING");
        assertThat(unknown.path("allowed").asBoolean()).isFalse();
        assertThat(unknown.path("basis").asString()).isEqualTo("AGENCY_KIND_UNKNOWN");
        assertThat(unknown.path("explanation").asString()).contains("not known");
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(library)).status()).isEqualTo(404);

        announce(library, AgencyKind.LIBRARY);

        awaitKnown(library, learnerId);
        assertThat(check(learnerId, library, "REFERRAL_SHARING").path("consentId").asString()).isEqualTo(consentId);
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(library)).status()).isEqualTo(200);
    }

    @Test
    void anAgencyThatChangesKindLeavesTheConsentAndALateOlderEventDoesNotUndoIt() {
        String learnerId = registerLearner(COLLEGE);
        api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE),
                kindConsent("COMMUNITY_GROUP", "REFERRAL_SHARING", null));
        String group = newAgency("GROUP");
        Instant registeredAt = Instant.now().minus(1, ChronoUnit.DAYS);
        catalogue.publish(new AgencyRegistered(group, AgencyKind.COMMUNITY_GROUP, AgencySector.COMMUNITY, true,
                registeredAt));
        awaitKnown(group, learnerId);

        catalogue.publish(new AgencyUpdated(group, AgencyKind.OTHER, AgencySector.COMMUNITY, true, Instant.now()));
        await().atMost(EVENT_DEADLINE).until(() -> !check(learnerId, group, "REFERRAL_SHARING")
                .path("allowed").asBoolean());
        String late = catalogue.publish(new AgencyRegistered(group, AgencyKind.COMMUNITY_GROUP,
                AgencySector.COMMUNITY, true, registeredAt));

        awaitHandled(AgencyKinds.HANDLER, late);
        JsonNode after = check(learnerId, group, "REFERRAL_SHARING");
        assertThat(after.path("allowed").asBoolean()).isFalse();
        assertThat(after.path("agencyKind").asString()).isEqualTo("OTHER");
    }

    @Test
    void anAgencyOfAKindThisVersionDoesNotKnowIsKnownWithNoKindUntilAnUpdateNamesAKnownOne() {
        String learnerId = registerLearner(COLLEGE);
        assertThat(api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE),
                kindConsent("HOUSING", "REFERRAL_SHARING", null)).status()).isEqualTo(201);
        String newcomer = newAgency("NEWKIND");

        // As a newer catalogue would announce it: a kind this version has no name for.
        String registration = catalogue.publishRaw(Topic.AGENCIES.topicName(), EventType.AGENCY_REGISTERED.type(),
                newcomer, Map.of("agencyId", newcomer, "kind", "HOUSING_ASSOCIATION", "sector", "VOLUNTARY",
                        "acceptsDirectReferrals", true, "registeredAt", Instant.now().minusSeconds(60).toString()));

        awaitHandled(AgencyKinds.HANDLER, registration);
        assertThat(agencyKinds.find(newcomer)).as("consumed, not dead-lettered: the agency is known")
                .hasValueSatisfying(agency -> {
                    assertThat(agency.kindUnknown()).isTrue();
                    assertThat(agency.reportedKind()).isEqualTo("HOUSING_ASSOCIATION");
                });
        assertThat(check(learnerId, newcomer, "REFERRAL_SHARING").path("allowed").asBoolean())
                .as("no kind consent covers an agency of an unknown kind").isFalse();
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(newcomer)).status()).isEqualTo(404);

        catalogue.publish(new AgencyUpdated(newcomer, AgencyKind.HOUSING, AgencySector.VOLUNTARY, true,
                Instant.now()));

        awaitKnown(newcomer, learnerId);
        JsonNode covered = check(learnerId, newcomer, "REFERRAL_SHARING");
        assertThat(covered.path("basis").asString()).isEqualTo("KIND_CONSENT");
        assertThat(covered.path("agencyKind").asString()).isEqualTo("HOUSING");
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(newcomer)).status()).isEqualTo(200);
    }

    @Test
    void withdrawingAKindConsentPublishesTheKindAndClosesAccess() {
        String jobCentre = newAgency("JOB_CENTRE");
        announce(jobCentre, AgencyKind.JOB_CENTRE);
        String learnerId = registerLearner(COLLEGE);
        String consentId = api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE),
                kindConsent("JOB_CENTRE", "REFERRAL_SHARING", null)).text("id");
        awaitKnown(jobCentre, learnerId);

        HttpApi.Response withdrawn = api().delete("/api/learners/" + learnerId + "/consents/" + consentId,
                TestTokens.worker(jobCentre));

        assertThat(withdrawn.status()).as("an agency of the kind may withdraw it for the learner").isEqualTo(200);
        assertThat(withdrawn.body().path("active").asBoolean()).isFalse();
        List<ConsumerRecord<String, byte[]>> events = learnerTopic.await(
                r -> isOfType(r, learnerId, EventType.CONSENT_WITHDRAWN.type()), 1, EVENT_DEADLINE);
        assertThat(events).hasSize(1);
        JsonNode data = cloudEvent(events.getFirst()).path("data");
        assertThat(data.path("agencyKind").asString()).isEqualTo("JOB_CENTRE");
        assertThat(data.path("consentId").asString()).isEqualTo(consentId);
        assertThat(check(learnerId, jobCentre, "REFERRAL_SHARING").path("basis").asString()).isEqualTo("NO_CONSENT");
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(jobCentre)).status()).isEqualTo(404);
    }

    @Test
    void aKindConsentLapsesAtItsExpiry() {
        String school = newAgency("SCHOOL");
        announce(school, AgencyKind.SCHOOL);
        // The school's kind applied first (through another learner's lasting consent), so that the expiring
        // consent's few seconds are not spent waiting for the event on a slow machine.
        String other = registerLearner(COLLEGE);
        api().post("/api/learners/" + other + "/consents", TestTokens.worker(COLLEGE),
                kindConsent("SCHOOL", "REFERRAL_SHARING", null));
        awaitKnown(school, other);
        String learnerId = registerLearner(COLLEGE);
        Instant expiry = Instant.now().plusSeconds(5);
        api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE),
                kindConsent("SCHOOL", "REFERRAL_SHARING", expiry));
        assertThat(check(learnerId, school, "REFERRAL_SHARING").path("allowed").asBoolean()).isTrue();
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(school)).status()).isEqualTo(200);

        await().atMost(EVENT_DEADLINE).until(() -> Instant.now().isAfter(expiry));

        JsonNode lapsed = check(learnerId, school, "REFERRAL_SHARING");
        assertThat(lapsed.path("allowed").asBoolean()).isFalse();
        assertThat(lapsed.path("basis").asString()).isEqualTo("NO_CONSENT");
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(school)).status()).isEqualTo(404);
    }

    @Test
    void aConsentNamesExactlyOneAgencyOrKindAndAnUnknownKindIsABadRequest() {
        String learnerId = registerLearner(COLLEGE);
        String path = "/api/learners/" + learnerId + "/consents";
        Map<String, Object> both = kindConsent("COLLEGE", "CONTACT", null);
        both.put("agencyId", COUNCIL);
        assertThat(api().post(path, TestTokens.worker(COLLEGE), both)
                .isProblem(422, "consent-needs-agency-or-kind")).isTrue();
        assertThat(api().post(path, TestTokens.worker(COLLEGE), Map.of("purpose", "CONTACT", "method", "VERBAL"))
                .isProblem(422, "consent-needs-agency-or-kind")).isTrue();
        for (String body : List.of(
                "{\"agencyKind\": \"SPACE_AGENCY\", \"purpose\": \"CONTACT\", \"method\": \"VERBAL\"}",
                "{\"agencyKind\": 2, \"purpose\": \"CONTACT\", \"method\": \"VERBAL\"}",
                "{\"agencyKind\": {\"$gt\": \"\"}, \"purpose\": \"CONTACT\", \"method\": \"VERBAL\"}")) {
            HttpApi.Response response = api().post(path, TestTokens.worker(COLLEGE), body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(COLLEGE)).body().path("consents"))
                .isEmpty();
    }
}
