package org.pathways.learner.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.testing.HttpApi;
import org.pathways.testing.StoreFaults;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

class AccessAuditTest extends LearnerProfileServiceTest {

    private List<JsonNode> trail(String learnerId) {
        HttpApi.Response response = api().get("/api/learners/" + learnerId + "/audit", TestTokens.worker(COLLEGE));
        assertThat(response.status()).isEqualTo(200);
        return response.body().valueStream().toList();
    }

    @Test
    void everyReadOfPersonalDataLeavesOneEntryWithWhoWhenWhyAndTheCorrelationId() {
        String id = registerLearner(COLLEGE);
        api().post("/api/learners/" + id + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "REFERRAL_SHARING", "method", "WRITTEN"));
        assertThat(trail(id)).as("registering and consenting read nothing back").isEmpty();

        get("/api/learners/" + id, TestTokens.token("adviser-7", COLLEGE,
                org.pathways.platform.security.Role.WORKER), "X-Correlation-Id", "corr-123",
                "X-Access-Purpose", "CONTACT");
        get("/api/learners/" + id, TestTokens.worker(COUNCIL), "X-Access-Purpose", "REFERRAL");
        get("/api/learners/" + id + "/milestones", TestTokens.worker(COLLEGE));
        get("/api/learners/" + id + "/consents/check?agencyId=" + COUNCIL + "&purpose=CONTACT",
                TestTokens.worker(COUNCIL));

        List<JsonNode> entries = trail(id);
        assertThat(entries).extracting(e -> e.path("action").asString())
                .containsExactly("READ_PROFILE", "READ_PROFILE", "READ_MILESTONES", "CHECK_CONSENT");
        JsonNode first = entries.getFirst();
        assertThat(first.path("userId").asString()).isEqualTo("adviser-7");
        assertThat(first.path("agencyId").asString()).isEqualTo(COLLEGE);
        assertThat(first.path("purpose").asString()).isEqualTo("CONTACT");
        assertThat(first.path("correlationId").asString()).isEqualTo("corr-123");
        assertThat(first.path("at").asString()).isNotBlank();
        assertThat(first.path("grounds").toString()).as("why").isEqualTo("[\"registering-agency\"]");
        assertThat(entries.get(1).path("agencyId").asString()).isEqualTo(COUNCIL);
        assertThat(entries.get(1).path("grounds").get(0).asString()).as("which consent").matches("consent:cns-.+");
        assertThat(entries.get(1).path("purpose").asString()).isEqualTo("REFERRAL");
        assertThat(entries.get(2).path("purpose").asString()).as("the default purpose").isEqualTo("CASE_WORK");
        assertThat(entries.toString()).doesNotContain("Amina", "Okafor");
    }

    @Test
    void whenTheAuditCannotBeWrittenNothingIsAnsweredAndTheCallerIsToldToRetry() {
        String id = registerLearner(COLLEGE);
        String consentId = api().post("/api/learners/" + id + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "OUTCOME_SHARING", "method", "WRITTEN")).text("id");
        api().post("/api/learners/" + id + "/milestones", TestTokens.worker(COLLEGE),
                Map.of("kind", "FIRST_CONTACT", "occurredOn", java.time.LocalDate.now().toString()));
        try (var refused = StoreFaults.refuseWrites(mongo.getCollectionName(AuditEntry.class), "learnerId", id)) {
            Map<String, HttpApi.Response> reads = new java.util.LinkedHashMap<>();
            reads.put("profile", api().get("/api/learners/" + id, TestTokens.worker(COLLEGE)));
            reads.put("profile by the consented agency", api().get("/api/learners/" + id,
                    TestTokens.worker(COUNCIL)));
            reads.put("milestones", api().get("/api/learners/" + id + "/milestones", TestTokens.worker(COUNCIL)));
            reads.put("consent check", api().get("/api/learners/" + id + "/consents/check?agencyId=" + COUNCIL
                    + "&purpose=OUTCOME_SHARING", TestTokens.worker(COUNCIL)));
            reads.put("update", send("PATCH", "/api/learners/" + id, TestTokens.worker(COLLEGE),
                    Map.of("goals", "Changed", "version", 2)));
            reads.forEach((what, response) -> {
                assertThat(response.isProblem(503, "audit-unavailable")).as(what + ": " + response.body()).isTrue();
                assertThat(response.body().toString()).as(what).doesNotContain("Amina", "Okafor", "amina.okafor",
                        "1994-03-17", consentId);
            });
        }
        assertThat(trail(id)).isEmpty();
        HttpApi.Response after = api().get("/api/learners/" + id, TestTokens.worker(COLLEGE));
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.body().path("goals").isNull()).as("the refused update saved nothing").isTrue();
        assertThat(after.body().path("version").asLong()).isEqualTo(2);
        assertThat(trail(id)).extracting(e -> e.path("action").asString()).containsExactly("READ_PROFILE");
    }

    @Test
    void aRefusedReadIsNotAReadAndLeavesNoEntry() {
        String id = registerLearner(COLLEGE);
        assertThat(api().get("/api/learners/" + id, TestTokens.worker(HOUSING)).status()).isEqualTo(404);
        assertThat(trail(id)).isEmpty();
    }

    @Test
    void onlyTheRegisteringAgencyReadsTheTrail() {
        String id = registerLearner(COLLEGE);
        api().post("/api/learners/" + id + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", COUNCIL, "purpose", "CONTACT", "method", "VERBAL"));
        assertThat(api().get("/api/learners/" + id + "/audit", TestTokens.worker(COUNCIL)).isProblem(404,
                "not-found")).isTrue();
        assertThat(api().get("/api/learners/" + id + "/audit", TestTokens.token("coordinator-1", COLLEGE,
                org.pathways.platform.security.Role.COORDINATOR)).isProblem(403, "forbidden")).isTrue();
    }

    @Test
    void theTrailOutlivesErasure() {
        String id = registerLearner(COLLEGE);
        api().get("/api/learners/" + id, TestTokens.worker(COLLEGE));
        api().delete("/api/learners/" + id, TestTokens.worker(COLLEGE));
        assertThat(trail(id)).extracting(e -> e.path("action").asString()).containsExactly("READ_PROFILE");
    }

    @Test
    void malformedPurposeOrCorrelationHeadersAreBadRequests() {
        String id = registerLearner(COLLEGE);
        String token = TestTokens.worker(COLLEGE);
        assertThat(get("/api/learners/" + id, token, "X-Access-Purpose", "CURIOSITY").isProblem(400, "validation"))
                .isTrue();
        assertThat(get("/api/learners/" + id, token, "X-Correlation-Id", "{\"$gt\":\"\"}").isProblem(400,
                "validation")).isTrue();
        assertThat(get("/api/learners/" + id, token, "X-Correlation-Id", "c".repeat(65)).status()).isEqualTo(400);
        assertThat(trail(id)).isEmpty();
    }

    @Test
    void onlyWorkersAndTheAgencysOwnSystemsReadPersonalDataNotItsCoordinatorsOrAdministrators() {
        String id = registerLearner(COLLEGE);
        for (org.pathways.platform.security.Role role : List.of(org.pathways.platform.security.Role.COORDINATOR,
                org.pathways.platform.security.Role.PLATFORM_ADMIN, org.pathways.platform.security.Role.AGENCY_ADMIN)) {
            String token = TestTokens.token("someone-" + role, COLLEGE, role);
            assertThat(api().get("/api/learners/" + id, token).isProblem(404, "not-found")).as(role.name()).isTrue();
            assertThat(api().get("/api/learners/" + id + "/milestones", token).status()).as(role.name())
                    .isEqualTo(404);
        }
        assertThat(trail(id)).as("a refused read is not a read").isEmpty();
        HttpApi.Response system = api().get("/api/learners/" + id, TestTokens.token("college-mis", COLLEGE,
                org.pathways.platform.security.Role.AGENCY_SYSTEM));
        assertThat(system.status()).isEqualTo(200);
        assertThat(system.text("familyName")).isEqualTo("Okafor");
    }
}
