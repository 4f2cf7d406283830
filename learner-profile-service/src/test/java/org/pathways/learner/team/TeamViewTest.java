package org.pathways.learner.team;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.platform.security.Role;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/** The team around the learner: each part only to those allowed to see it, and always as the consents stand now. */
class TeamViewTest extends LearnerProfileServiceTest {

    private static EventProducer referralService;

    @BeforeAll
    static void connect() {
        referralService = new EventProducer();
    }

    @AfterAll
    static void disconnect() {
        referralService.close();
    }

    private String referTo(String learnerId, String from, String receiving, String opportunityId) {
        String referralId = "ref-" + UUID.randomUUID();
        String eventId = referralService.publish(new ReferralSubmitted(referralId, learnerId, opportunityId, from,
                receiving, Urgency.ROUTINE, Instant.now()));
        awaitHandled("referral-relationships", eventId);
        return referralId;
    }

    private HttpApi.Response team(String learnerId, String agency) {
        return api().get("/api/learners/" + learnerId + "/team", TestTokens.worker(agency));
    }

    private static List<String> agencyIds(HttpApi.Response team) {
        return team.body().path("agencies").valueStream().map(a -> a.path("agencyId").asString()).toList();
    }

    private static JsonNode agency(HttpApi.Response team, String agencyId) {
        return team.body().path("agencies").valueStream().filter(a -> a.path("agencyId").asString().equals(agencyId))
                .findFirst().orElseThrow();
    }

    @Test
    void aWithdrawnConsentRemovesThatAgencyFromTheTeamViewAtOnce() {
        String learnerId = registerLearner(COLLEGE);
        String consentId = consentTo(learnerId, COLLEGE, COUNCIL, "CONTACT");
        assertThat(agencyIds(team(learnerId, COLLEGE))).containsExactly(COLLEGE, COUNCIL);
        assertThat(agency(team(learnerId, COLLEGE), COUNCIL).path("roles").toString()).isEqualTo("[\"CONSENT\"]");
        assertThat(team(learnerId, COUNCIL).status()).isEqualTo(200);

        assertThat(api().delete("/api/learners/" + learnerId + "/consents/" + consentId, TestTokens.worker(COUNCIL))
                .status()).isEqualTo(200);

        assertThat(agencyIds(team(learnerId, COLLEGE))).containsExactly(COLLEGE);
        assertThat(team(learnerId, COUNCIL).status()).as("and it sees the team no more").isEqualTo(404);
    }

    @Test
    void eachPartOfTheTeamIsShownOnlyToThoseAllowedToSeeIt() {
        String learnerId = registerLearner(COLLEGE);
        consentTo(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING");
        String first = referTo(learnerId, COUNCIL, HOUSING, "opp-tenancy-support");
        String second = referTo(learnerId, COLLEGE, HOUSING, "opp-tenancy-support");
        String otherReceiver = "agency-library-" + UUID.randomUUID().toString().substring(0, 6);
        String third = referTo(learnerId, COLLEGE, otherReceiver, "opp-digital-skills");
        assertThat(send("PUT", "/api/learners/" + learnerId + "/lead", TestTokens.token("college-ana", COLLEGE,
                Role.WORKER), Map.of("workerId", "college-ana")).status()).isEqualTo(200);
        String plan = "/api/learners/" + learnerId + "/plan";
        HttpApi.Response added = send("POST", plan + "/steps", TestTokens.worker(COLLEGE),
                Map.of("title", "Tenancy support visit", "ownerAgencyId", HOUSING), "If-Match", "\"0\"");
        String housingStep = added.body().path("steps").get(0).path("stepId").asString();
        String collegeStep = send("POST", plan + "/steps", TestTokens.worker(COLLEGE),
                Map.of("title", "ESOL assessment", "ownerAgencyId", COLLEGE), "If-Match", "\"1\"")
                .body().path("steps").get(1).path("stepId").asString();
        assertThat(api().post("/api/learners/" + learnerId + "/milestones", TestTokens.worker(COLLEGE),
                Map.of("kind", "FIRST_CONTACT", "occurredOn", LocalDate.now(ZoneOffset.UTC).toString())).status())
                .isEqualTo(201);

        HttpApi.Response full = team(learnerId, COLLEGE);
        assertThat(full.status()).isEqualTo(200);
        assertThat(full.body().path("lead").path("workerId").asString()).isEqualTo("college-ana");
        assertThat(agencyIds(full)).containsExactly(COLLEGE, COUNCIL, HOUSING, otherReceiver);
        assertThat(agency(full, COLLEGE).path("roles").toString()).isEqualTo("[\"REGISTERING\",\"REFERRING\"]");
        assertThat(agency(full, COUNCIL).path("roles").toString()).isEqualTo("[\"CONSENT\",\"REFERRING\"]");
        assertThat(agency(full, HOUSING).path("roles").toString()).isEqualTo("[\"RECEIVING\"]");
        assertThat(agency(full, HOUSING).path("openReferrals").valueStream().map(r -> r.path("referralId")
                .asString()).toList()).containsExactlyInAnyOrder(first, second);
        assertThat(agency(full, HOUSING).path("planStepIds").toString()).contains(housingStep);
        assertThat(agency(full, COLLEGE).path("planStepIds").toString()).contains(collegeStep);
        assertThat(full.body().path("latestMilestones").get(0).path("kind").asString()).isEqualTo("FIRST_CONTACT");
        assertThat(full.body().path("duplicateEfforts").valueStream().toList()).hasSize(1);
        JsonNode duplicate = full.body().path("duplicateEfforts").get(0);
        assertThat(duplicate.path("reason").asString()).isEqualTo("SAME_OPPORTUNITY");
        assertThat(duplicate.path("referralIds").valueStream().map(JsonNode::asString).toList())
                .containsExactlyInAnyOrder(first, second).doesNotContain(third);

        HttpApi.Response byConsent = team(learnerId, COUNCIL);
        assertThat(byConsent.body().path("lead").path("agencyId").asString()).isEqualTo(COLLEGE);
        assertThat(byConsent.body().path("latestMilestones")).as("no consent to outcome sharing").isEmpty();

        HttpApi.Response byReceiver = team(learnerId, HOUSING);
        assertThat(byReceiver.status()).isEqualTo(200);
        assertThat(byReceiver.body().path("lead").isNull()).as("a receiver without standing sees no lead").isTrue();
        assertThat(agencyIds(byReceiver)).containsExactly(HOUSING);
        assertThat(agency(byReceiver, HOUSING).path("planStepIds").toString()).isEqualTo("[\"" + housingStep + "\"]");
        assertThat(byReceiver.body().path("latestMilestones")).isEmpty();
        assertThat(byReceiver.body().path("duplicateEfforts")).isEmpty();
        assertThat(byReceiver.body().toString()).doesNotContain(otherReceiver, collegeStep, third);

        assertThat(team(learnerId, "agency-stranger").status()).isEqualTo(404);
        assertThat(api().get("/api/learners/" + learnerId + "/team",
                TestTokens.token("coordinator", COLLEGE, Role.COORDINATOR)).status()).isEqualTo(404);
        assertThat(team("lrn-" + UUID.randomUUID(), COLLEGE).status()).isEqualTo(404);
    }

    @Test
    void readingTheTeamIsAuditedWithItsGrounds() {
        String learnerId = registerLearner(COLLEGE);
        String consentId = consentTo(learnerId, COLLEGE, COUNCIL, "CONTACT");
        team(learnerId, COUNCIL);
        api().get("/api/learners/" + learnerId + "/plan", TestTokens.worker(COUNCIL));
        api().get("/api/learners/" + learnerId + "/lead", TestTokens.worker(COUNCIL));

        List<JsonNode> trail = api().get("/api/learners/" + learnerId + "/audit", TestTokens.worker(COLLEGE)).body()
                .valueStream().toList();
        assertThat(trail).extracting(entry -> entry.path("action").asString())
                .containsSubsequence("READ_TEAM", "READ_PLAN", "READ_LEAD");
        assertThat(trail.getLast().path("agencyId").asString()).isEqualTo(COUNCIL);
        assertThat(trail.getLast().path("grounds").toString()).contains("consent:" + consentId);
    }
}
