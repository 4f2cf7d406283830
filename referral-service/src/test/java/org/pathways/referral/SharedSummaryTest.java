package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.platform.security.Role;
import org.pathways.referral.readmodel.OpportunityView;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/**
 * A referral carries a snapshot of what the learner agreed to share: only the two agencies' workers and systems see
 * it, it never leaves in an event or an inbox line, it travels unchanged along re-routing and next steps, and it is
 * as strictly checked as the profile it was copied from.
 */
class SharedSummaryTest extends ReferralServiceTest {

    private static String adminOf(String agency) {
        return TestTokens.token("admin-1", agency, Role.AGENCY_ADMIN);
    }

    private static String systemOf(String agency) {
        return TestTokens.token("mis-1", agency, Role.AGENCY_SYSTEM);
    }

    @Test
    void theSummaryIsSeenByTheTwoAgenciesWorkersAndSystemsOnlyAndNeverInEventsOrInboxes() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode submitted = submittedWithSummary(s);
        String id = submitted.get("id").asString();

        JsonNode summary = submitted.get("sharedSummary");
        assertThat(summary.get("preferredName").asString()).isEqualTo("Mina");
        assertThat(summary.get("localityCode").asString()).isEqualTo("LS6");
        assertThat(summary.get("barriers")).hasSize(2);
        assertThat(summary.get("priorAchievements").get(1).get("accredited").asBoolean()).isFalse();
        assertThat(summary.has("email")).isFalse();
        Instant takenAt = Instant.parse(submitted.get("sharedSummaryTakenAt").asString());
        assertThat(takenAt).isEqualTo(Instant.parse(submitted.get("submittedAt").asString())
                .truncatedTo(java.time.temporal.ChronoUnit.MILLIS));

        for (String token : List.of(worker(COUNCIL), worker(COLLEGE), systemOf(COLLEGE))) {
            JsonNode view = api().get("/api/referrals/" + id, token).body();
            assertThat(view.get("sharedSummary")).isEqualTo(summary);
            assertThat(view.get("sharedSummaryTakenAt").asString()).isEqualTo(takenAt.toString());
        }
        // An agency admin of a party agency, a coordinator (even one whose token names a party agency) and a platform
        // administrator see the referral's metadata only: no summary, no need, no notes; others see nothing.
        for (String token : List.of(adminOf(COLLEGE), coordinator(),
                TestTokens.token("coord-2", COLLEGE, Role.COORDINATOR),
                TestTokens.token("ops-1", COLLEGE, Role.PLATFORM_ADMIN))) {
            HttpApi.Response view = api().get("/api/referrals/" + id, token);
            assertThat(view.status()).isEqualTo(200);
            assertThat(view.body().has("sharedSummary")).isFalse();
            assertThat(view.body().has("need")).isFalse();
            assertThat(view.body().has("learnerId")).isFalse();
            assertThat(view.body().toString()).doesNotContain("Mina").doesNotContain("teaching assistant");
            assertThat(api().get("/api/referrals/" + id + "/notes", token).status()).isIn(403, 404);
        }
        assertThat(api().get("/api/referrals/" + id + "/notes", worker(COLLEGE)).status()).isEqualTo(200);

        // Every read of the personal data above is in the audit trail, with who and which agency.
        await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store.find(
                org.springframework.data.mongodb.core.query.Query.query(
                        org.springframework.data.mongodb.core.query.Criteria.where("ids.id").is(id)
                                .and("kind").is("PERSONAL_DATA_READ").and("agencyId").is(COLLEGE)),
                org.bson.Document.class, "audit-trail"))
                .extracting(d -> d.getString("route"))
                .contains("/api/referrals/{id}", "/api/referrals/{id}/notes"));
        assertThat(api().get("/api/referrals/" + id, worker(JOBCENTRE)).status()).isEqualTo(404);

        // Inbox lines and transition answers to a non-worker carry no summary; the events carry none.
        for (String direction : List.of("incoming", "outgoing")) {
            String agency = direction.equals("incoming") ? COLLEGE : COUNCIL;
            JsonNode page = api().get("/api/referrals?direction=" + direction + "&opportunityId="
                    + s.opportunityId(), worker(agency)).body();
            assertThat(page.get("items")).hasSize(1);
            assertThat(page.toString()).doesNotContain("sharedSummary").doesNotContain("Mina");
        }
        step(worker(COLLEGE), submitted, "RECEIVE", null);
        for (JsonNode event : eventsSoFar(id, COLLEGE)) {
            assertThat(event.toString()).doesNotContain("Mina").doesNotContain("Haddad")
                    .doesNotContain("teaching assistant").doesNotContain("CHILDCARE").doesNotContain("1990-04-02");
        }
    }

    @Test
    void reroutingAndNextStepsCarryTheSummaryUnchangedWithWhenItWasTaken() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode received = step(worker(COLLEGE), submittedWithSummary(s), "RECEIVE", null);
        String elsewhere = "agency-adult-" + UUID.randomUUID().toString().substring(0, 8);
        Scenario other = consentedLearnerAndPublishedCourse(elsewhere, 10, 0);
        grantConsent(s.learnerId(), "cns-" + UUID.randomUUID(), elsewhere);
        HttpApi.Response rerouted = await().atMost(DEADLINE).until(
                () -> api().post("/api/referrals/" + received.get("id").asString() + "/reroute", worker(COLLEGE),
                        Map.of("opportunityId", other.opportunityId(), "version",
                                received.get("version").asLong())), r -> r.status() != 422);
        assertThat(rerouted.status()).as(rerouted.toString()).isEqualTo(201);
        // The college re-routed it but is not party to the new referral: it is not shown the summary.
        assertThat(rerouted.body().has("sharedSummary")).isFalse();
        String nextId = rerouted.body().get("id").asString();
        JsonNode next = api().get("/api/referrals/" + nextId, worker(elsewhere)).body();
        assertThat(next.get("sharedSummary")).isEqualTo(received.get("sharedSummary"));
        assertThat(next.get("sharedSummaryTakenAt")).isEqualTo(received.get("sharedSummaryTakenAt"));

        // Completed there, the next step along the pathway carries it on again.
        JsonNode completed = completed(next, elsewhere);
        String onward = "opp-" + UUID.randomUUID();
        events.publish(new OpportunityPublished(onward, COLLEGE, OpportunityKind.FORMAL_LEARNING, "L1", 10, 0,
                Instant.now(), List.of()));
        await().atMost(DEADLINE).until(() -> store.findById(onward, OpportunityView.class) != null);
        HttpApi.Response nextStep = api().post("/api/referrals/" + completed.get("id").asString() + "/next-steps",
                worker(elsewhere), Map.of("opportunityId", onward));
        assertThat(nextStep.status()).as(nextStep.toString()).isEqualTo(201);
        assertThat(nextStep.body().get("sharedSummary")).isEqualTo(received.get("sharedSummary"));
        assertThat(nextStep.body().get("sharedSummaryTakenAt")).isEqualTo(received.get("sharedSummaryTakenAt"));
    }

    @Test
    void aReferralWithoutASummaryHasNone() {
        JsonNode submitted = submitted(consentedLearnerAndPublishedCourse(20, 0));
        assertThat(submitted.has("sharedSummary")).isFalse();
        assertThat(submitted.has("sharedSummaryTakenAt")).isFalse();
    }

    @Test
    void hostileOrOversizedSummariesGetProblemDetailsAndCreateNothing() {
        Scenario s = new Scenario("lrn-" + UUID.randomUUID(), "opp-" + UUID.randomUUID(), null, COLLEGE);
        List<String> hostile = List.of(
                "{}",
                "{\"preferredName\":\"Mina\",\"email\":\"mina@example.org\"}",
                "{\"preferredName\":{\"$gt\":\"\"}}",
                "{\"preferredName\":\"" + "x".repeat(101) + "\"}",
                "{\"goals\":\"" + "x".repeat(2001) + "\"}",
                "{\"goals\":\"ok\\u0000hidden\"}",
                "{\"barriers\":[\"HOMELESS\"]}",
                "{\"barriers\":[0]}",
                "{\"barriers\":[null]}",
                "{\"interpreterNeeded\":\"yes\"}",
                "{\"localityCode\":\"LS6 1AB\"}",
                "{\"preferredLanguage\":\"English; DROP\"}",
                "{\"dateOfBirth\":\"2990-01-01\"}",
                "{\"dateOfBirth\":\"02/04/1990\"}",
                "{\"interests\":[" + String.join(",", java.util.Collections.nCopies(21, "\"a\"")) + "]}",
                "{\"priorAchievements\":[{\"title\":\"x\"}]}",
                "{\"priorAchievements\":[{\"title\":\"x\",\"kind\":\"FORMAL\",\"level\":\"L9\"}]}",
                "[\"Mina\"]",
                "\"Mina\"");
        for (String summary : hostile) {
            HttpApi.Response response = api().post("/api/referrals", worker(COUNCIL), bodyWithSummary(s, summary));
            assertThat(response.status()).as(summary).isEqualTo(400);
            assertThat(response.contentType()).as(summary).startsWith("application/problem+json");
            assertThat(response.body().toString()).as(summary).doesNotContain("mina@example.org");
        }
        HttpApi.Response accredited = api().post("/api/referrals", worker(COUNCIL), bodyWithSummary(s,
                "{\"priorAchievements\":[{\"title\":\"First aid\",\"kind\":\"NON_FORMAL\",\"accredited\":true}]}"));
        assertThat(accredited.isProblem(422, "accredited-needs-formal-learning")).as(accredited.toString()).isTrue();
        assertThat(api().post("/api/referrals", worker(COUNCIL), bodyWithSummary(s, "{}"))
                .isProblem(400, "empty-shared-summary")).isTrue();
        assertThat(store.getCollection("referrals").countDocuments(
                new org.bson.Document("learnerId", s.learnerId()))).isZero();
    }
}
