package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.testing.HttpApi;
import tools.jackson.databind.JsonNode;

/** Re-routing to another agency makes a linked referral; the chain is the person's journey. */
class ReroutingTest extends ReferralServiceTest {

    @Test
    void theReceivingAgencyReroutesToAnotherAgencyAndTheChainShowsTheJourney() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode received = step(worker(COLLEGE), submitted(s), "RECEIVE", null);
        String originalId = received.get("id").asString();
        String adultLearning = "agency-adult-" + UUID.randomUUID().toString().substring(0, 8);
        Scenario elsewhere = consentedLearnerAndPublishedCourse(adultLearning, 10, 0);

        // No consent yet for the new agency: refused, and the original stays as it was.
        HttpApi.Response refused = org.awaitility.Awaitility.await().atMost(DEADLINE).until(
                () -> api().post("/api/referrals/" + originalId + "/reroute", worker(COLLEGE), Map.of(
                        "opportunityId", elsewhere.opportunityId(), "version", received.get("version").asLong())),
                r -> r.status() != 422 || r.text("type").endsWith("consent-required"));
        assertThat(refused.isProblem(422, "consent-required")).as(refused.toString()).isTrue();

        grantConsent(s.learnerId(), "cns-" + UUID.randomUUID(), adultLearning);
        HttpApi.Response rerouted = org.awaitility.Awaitility.await().atMost(DEADLINE).until(
                () -> api().post("/api/referrals/" + originalId + "/reroute", worker(COLLEGE), Map.of(
                        "opportunityId", elsewhere.opportunityId(), "reasonText", "Better matched to her hours",
                        "version", received.get("version").asLong())), r -> r.status() != 422);
        assertThat(rerouted.status()).as(rerouted.toString()).isEqualTo(201);
        JsonNode next = rerouted.body();
        String nextId = next.get("id").asString();
        assertThat(next.get("previousReferralId").asString()).isEqualTo(originalId);
        assertThat(next.get("receivingAgencyId").asString()).isEqualTo(adultLearning);
        assertThat(next.get("referringAgencyId").asString()).isEqualTo(COUNCIL);
        assertThat(next.get("need").asString()).contains("spoken English");
        assertThat(next.get("learnerId").asString()).isEqualTo(s.learnerId());

        JsonNode original = api().get("/api/referrals/" + originalId, worker(COUNCIL)).body();
        assertThat(original.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(original.get("nextReferralId").asString()).isEqualTo(nextId);
        JsonNode closed = eventsOf(originalId, "cancelled", 1).getFirst().get("data");
        assertThat(closed.get("reason").asString()).isEqualTo("REROUTED");
        assertThat(closed.get("actingAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(eventsOf(nextId, "submitted", 1).getFirst().get("data").get("previousReferralId").asString())
                .isEqualTo(originalId);

        // The new agency answers it; the old one no longer can act on the new referral.
        assertThat(transition(worker(COLLEGE), next, "RECEIVE", null, null).isProblem(404, "not-found")).isTrue();
        JsonNode completed = step(worker(adultLearning), next, "RECEIVE", null);
        completed = step(worker(adultLearning), completed, "ACCEPT", null);
        completed = step(worker(adultLearning), completed, "START", null);
        step(worker(adultLearning), completed, "COMPLETE", null);

        JsonNode chain = api().get("/api/referrals/" + nextId + "/chain", worker(COUNCIL)).body();
        assertThat(chain).hasSize(2);
        assertThat(chain.get(0).get("id").asString()).isEqualTo(originalId);
        assertThat(chain.get(1).get("id").asString()).isEqualTo(nextId);
        assertThat(chain.get(1).get("status").asString()).isEqualTo("COMPLETED");
        assertThat(chain.toString()).doesNotContain("spoken English").doesNotContain(s.learnerId());
        assertThat(api().get("/api/referrals/" + originalId + "/chain", worker(JOBCENTRE)).status())
                .isEqualTo(404);
    }

    @Test
    void aReferrerWhoseConsentWasWithdrawnIsNotMadePartyToTheReroutedReferral() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        String jobcentreConsent = "cns-" + UUID.randomUUID();
        grantConsent(s.learnerId(), jobcentreConsent, JOBCENTRE);
        JsonNode sent = submitWhenKnown(s, worker(JOBCENTRE)).body();
        assertThat(sent.get("referringAgencyId").asString()).as(sent.toString()).isEqualTo(JOBCENTRE);
        JsonNode received = step(worker(COLLEGE), sent, "RECEIVE", null);
        // The learner withdraws the jobcentre's consent; the referral to the college stays open.
        events.publish(new org.pathways.events.learner.ConsentWithdrawn(s.learnerId(), jobcentreConsent, JOBCENTRE,
                org.pathways.events.learner.ConsentPurpose.REFERRAL_SHARING, java.time.Instant.now()));
        learnerEventsHandled(s.learnerId());

        String adultLearning = "agency-adult-" + UUID.randomUUID().toString().substring(0, 8);
        Scenario elsewhere = consentedLearnerAndPublishedCourse(adultLearning, 10, 0);
        grantConsent(s.learnerId(), "cns-" + UUID.randomUUID(), adultLearning);
        HttpApi.Response rerouted = org.awaitility.Awaitility.await().atMost(DEADLINE).until(
                () -> api().post("/api/referrals/" + received.get("id").asString() + "/reroute", worker(COLLEGE),
                        Map.of("opportunityId", elsewhere.opportunityId(), "version",
                                received.get("version").asLong())), r -> r.status() != 422);
        assertThat(rerouted.status()).as(rerouted.toString()).isEqualTo(201);
        String nextId = rerouted.text("id");
        // The college that sent them on refers them; the jobcentre hears nothing of the new agency.
        assertThat(rerouted.text("referringAgencyId")).isEqualTo(COLLEGE);
        assertThat(api().get("/api/referrals/" + nextId, worker(JOBCENTRE)).isProblem(404, "not-found")).isTrue();
        assertThat(eventsOf(nextId, "submitted", 1).getFirst().get("data").get("referringAgencyId").asString())
                .isEqualTo(COLLEGE);
        // Nor is it told where the person went: no next referral's id on its referral, none in the chain.
        String originalId = received.get("id").asString();
        assertThat(api().get("/api/referrals/" + originalId, worker(JOBCENTRE)).body().has("nextReferralId"))
                .isFalse();
        assertThat(api().get("/api/referrals/" + originalId, worker(COLLEGE)).text("nextReferralId"))
                .as("the college, party to both").isEqualTo(nextId);
        assertThat(api().get("/api/referrals/" + originalId + "/chain", worker(JOBCENTRE)).body().toString())
                .doesNotContain(nextId);
    }

    @Test
    void aClosedReferralIsNotRerouted() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode rejected = step(worker(COLLEGE), submitted(s), "REJECT", "NO_CAPACITY");
        HttpApi.Response response = api().post("/api/referrals/" + rejected.get("id").asString() + "/reroute",
                worker(COLLEGE), Map.of("opportunityId", s.opportunityId(), "version",
                        rejected.get("version").asLong()));
        assertThat(response.isProblem(409, "illegal-transition")).as(response.toString()).isTrue();
    }
}
