package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.referral.readmodel.ConsentView;
import org.pathways.testing.MongoQueryLog;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import tools.jackson.databind.JsonNode;

/** Consent withdrawn mid-flight stops the referrals it covered; read models are rebuilt from events alone. */
class ConsentWithdrawalTest extends ReferralServiceTest {

    @Autowired
    MongoTemplate mongo;
    @Autowired
    MongoQueryLog queries;
    @Autowired
    org.pathways.referral.consent.ConsentWithdrawals withdrawals;

    private String statusOf(String id) {
        return api().get("/api/referrals/" + id, worker(COLLEGE)).text("status");
    }

    @Test
    void withdrawingConsentMidFlightPutsTheOpenReferralOnHoldOnceAndItResumesOnlyWithConsentAgain() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode accepted = accepted(submitted(s), COLLEGE);
        String id = accepted.get("id").asString();
        ConsentWithdrawn withdrawal = new ConsentWithdrawn(s.learnerId(), s.consentId(), COLLEGE,
                ConsentPurpose.REFERRAL_SHARING, Instant.now());
        events.publish(withdrawal);

        await().atMost(DEADLINE).until(() -> statusOf(id).equals("ON_HOLD"));
        JsonNode held = eventsOf(id, "on-hold", 1).getFirst().get("data");
        assertThat(held.get("reason").asString()).isEqualTo("CONSENT_WITHDRAWN");
        assertThat(held.get("receivingAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(held.get("referringAgencyId").asString()).isEqualTo(COUNCIL);

        // The same withdrawal again, as a redelivery with a new event id: nothing more happens.
        events.publish(withdrawal);
        learnerEventsHandled(s.learnerId());
        assertThat(typesSoFar(id, COUNCIL)).containsOnlyOnce("on-hold");

        JsonNode current = api().get("/api/referrals/" + id, worker(COLLEGE)).body();
        assertThat(transition(worker(COLLEGE), current, "RESUME", null, null).isProblem(422, "consent-required"))
                .isTrue();
        grantConsent(s.learnerId(), "cns-" + UUID.randomUUID(), COLLEGE);
        JsonNode resumed = await().atMost(DEADLINE).until(
                () -> transition(worker(COLLEGE), current, "RESUME", null, null), r -> r.status() == 200).body();
        assertThat(resumed.get("status").asString()).isEqualTo("ACCEPTED");
    }

    @Test
    void anAgencyWhoseConsentWasWithdrawnSeesTheReferralsCourseButNoneOfThePersonsDataOpenOrClosed() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode sent = submittedWithSummary(s);
        String id = sent.get("id").asString();
        String notes = "/api/referrals/" + id + "/notes";
        assertThat(api().post(notes, worker(COUNCIL), Map.of("text", "She is nervous about groups")).status())
                .isEqualTo(201);
        JsonNode before = api().get("/api/referrals/" + id, worker(COLLEGE)).body();
        assertThat(before.has("sharedSummary")).as("with the consent in force").isTrue();
        assertThat(before.has("need")).isTrue();

        events.publish(new ConsentWithdrawn(s.learnerId(), s.consentId(), COLLEGE, ConsentPurpose.REFERRAL_SHARING,
                Instant.now()));
        await().atMost(DEADLINE).until(() -> statusOf(id).equals("ON_HOLD"));
        // The referrer, who registered the learner, writes on after the withdrawal.
        assertThat(api().post(notes, worker(COUNCIL), Map.of("text", "Asked her again today")).status())
                .isEqualTo(201);

        JsonNode held = api().get("/api/referrals/" + id, worker(COLLEGE)).body();
        assertThat(held.path("status").asString()).isEqualTo("ON_HOLD");
        assertThat(held.has("sharedSummary")).as("summary after the withdrawal").isFalse();
        assertThat(held.has("need")).as("need after the withdrawal").isFalse();
        assertThat(held.toString()).doesNotContain("Haddad");
        assertThat(api().get(notes, worker(COLLEGE)).isProblem(403, "consent-required")).isTrue();
        assertThat(api().post(notes, worker(COLLEGE), Map.of("text", "hello")).isProblem(403, "consent-required"))
                .isTrue();
        HttpResponse<String> fhir = send("GET", "/api/fhir/r4/ServiceRequest/" + id, worker(COLLEGE), null);
        assertThat(fhir.statusCode()).isEqualTo(200);
        assertThat(fhir.body()).doesNotContain("spoken English").doesNotContain(s.learnerId());
        // The referrer still has its grounds: all of it.
        JsonNode referrer = api().get("/api/referrals/" + id, worker(COUNCIL)).body();
        assertThat(referrer.has("sharedSummary")).isTrue();
        assertThat(api().get(notes, worker(COUNCIL)).body()).hasSize(2);

        // Closed, the same: the course without the person.
        JsonNode cancelled = transition(worker(COUNCIL), referrer, "CANCEL", null, "She moved to Bradford").body();
        assertThat(cancelled.path("status").asString()).as(cancelled.toString()).isEqualTo("CANCELLED");
        JsonNode closed = api().get("/api/referrals/" + id, worker(COLLEGE)).body();
        assertThat(closed.has("sharedSummary") || closed.has("need")).isFalse();
        assertThat(closed.toString()).contains("CANCELLED").doesNotContain("Bradford");
        assertThat(api().get("/api/referrals/" + id + "/history", worker(COLLEGE)).body().toString())
                .contains("CANCELLED").doesNotContain("Bradford");
        assertThat(api().get("/api/referrals/" + id + "/history", worker(COUNCIL)).body().toString())
                .contains("Bradford");
        // Consent again: the college sees it again.
        grantConsent(s.learnerId(), "cns-" + UUID.randomUUID(), COLLEGE);
        await().atMost(DEADLINE).until(() -> api().get("/api/referrals/" + id, worker(COLLEGE)).body()
                .has("sharedSummary"));
    }

    @Test
    void aReferrerWhoseConsentEndedSendingItsReferralAgainIsAnsweredWithoutThePersonsData() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        String jobcentreConsent = "cns-" + UUID.randomUUID();
        grantConsent(s.learnerId(), jobcentreConsent, JOBCENTRE);
        String key = "ref-" + UUID.randomUUID();
        HttpResponse<String> first = await().atMost(DEADLINE).until(() -> send("POST", "/api/referrals",
                worker(JOBCENTRE), bodyWithSummary(s, SUMMARY), "Idempotency-Key", key), r -> r.statusCode() != 422);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(first.body()).contains("Haddad");

        events.publish(new ConsentWithdrawn(s.learnerId(), jobcentreConsent, JOBCENTRE,
                ConsentPurpose.REFERRAL_SHARING, Instant.now()));
        learnerEventsHandled(s.learnerId());
        HttpResponse<String> again = send("POST", "/api/referrals", worker(JOBCENTRE), bodyWithSummary(s, SUMMARY),
                "Idempotency-Key", key);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(again.body()).doesNotContain("Haddad").doesNotContain("spoken English");
    }

    @Test
    void aConsentGrantedOnTheSurvivingRecordAfterAMergeCountsForTheRetiredRecordsReferrals() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        String id = submittedWithSummary(s).get("id").asString();
        String survivor = "lrn-" + UUID.randomUUID();
        registered(survivor, COUNCIL);
        events.publish(new org.pathways.events.learner.LearnerMerged(s.learnerId(), survivor, COUNCIL,
                Instant.now()));
        events.publish(new ConsentWithdrawn(s.learnerId(), s.consentId(), COLLEGE, ConsentPurpose.REFERRAL_SHARING,
                Instant.now()));
        await().atMost(DEADLINE).until(() -> statusOf(id).equals("ON_HOLD"));
        assertThat(api().get("/api/referrals/" + id, worker(COLLEGE)).body().has("sharedSummary")).isFalse();

        // The person agrees again, on the record they now have: the referral made under the old one is open to the
        // college again.
        grantConsent(survivor, "cns-" + UUID.randomUUID(), COLLEGE);
        await().atMost(DEADLINE).until(() -> api().get("/api/referrals/" + id, worker(COLLEGE)).body()
                .has("sharedSummary"));
        assertThat(api().get("/api/referrals/" + id + "/notes", worker(COLLEGE)).status()).isEqualTo(200);
    }

    @Test
    void aReferralOnTheWaitingListWhenConsentIsWithdrawnIsHeldAgainForTheConsentAndResumesOnlyWithConsent() {
        // A hostile receiving agency must not keep the learner's record open by holding the referral itself first:
        // skipped because it was on hold already, the referral kept opening the record to it after the withdrawal.
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode accepted = accepted(submitted(s), COLLEGE);
        String id = accepted.get("id").asString();
        step(worker(COLLEGE), accepted, "HOLD", "WAITLISTED");
        assertThat(eventsOf(id, "on-hold", 1).getFirst().get("data").get("reason").asString())
                .isEqualTo("WAITLISTED");
        ConsentWithdrawn withdrawal = new ConsentWithdrawn(s.learnerId(), s.consentId(), COLLEGE,
                ConsentPurpose.REFERRAL_SHARING, Instant.now());
        events.publish(withdrawal);

        List<JsonNode> holds = eventsOf(id, "on-hold", 2);
        assertThat(holds.get(1).get("data").get("reason").asString()).as("held again, for the consent")
                .isEqualTo("CONSENT_WITHDRAWN");
        assertThat(holds.get(1).get("data").get("status").asString()).isEqualTo("ON_HOLD");

        // The same withdrawal again, as a redelivery with a new event id: nothing more happens.
        events.publish(withdrawal);
        learnerEventsHandled(s.learnerId());
        assertThat(typesSoFar(id, COUNCIL).stream().filter("on-hold"::equals)).hasSize(2);

        JsonNode current = api().get("/api/referrals/" + id, worker(COLLEGE)).body();
        assertThat(current.get("status").asString()).isEqualTo("ON_HOLD");
        assertThat(transition(worker(COLLEGE), current, "RESUME", null, null).isProblem(422, "consent-required"))
                .isTrue();
        grantConsent(s.learnerId(), "cns-" + UUID.randomUUID(), COLLEGE);
        JsonNode resumed = await().atMost(DEADLINE).until(
                () -> transition(worker(COLLEGE), api().get("/api/referrals/" + id, worker(COLLEGE)).body(),
                        "RESUME", null, null), r -> r.status() == 200).body();
        assertThat(resumed.get("status").asString()).as("where it was before the waiting list")
                .isEqualTo("ACCEPTED");
    }

    @Test
    void aReferralLeftOnTheWaitingListByAnEarlierVersionAfterTheConsentEndedIsHeldForTheConsentAtStart() {
        // Before referrals on hold were held again, a withdrawal left a waitlisted referral as it was: the review
        // at start-up finds it by the consent that ended, and leaves one whose consent is still in force alone.
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode accepted = accepted(submitted(s), COLLEGE);
        String id = accepted.get("id").asString();
        step(worker(COLLEGE), accepted, "HOLD", "WAITLISTED");
        Scenario kept = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode keptAccepted = accepted(submitted(kept), COLLEGE);
        step(worker(COLLEGE), keptAccepted, "HOLD", "WAITLISTED");
        // The withdrawal as the earlier version applied it: the consent view withdrawn, the referral left alone.
        mongo.updateFirst(org.springframework.data.mongodb.core.query.Query.query(
                        org.springframework.data.mongodb.core.query.Criteria.where("_id").is(s.consentId())),
                new org.springframework.data.mongodb.core.query.Update().set("withdrawnAt", Instant.now()),
                ConsentView.class);

        // The service's start ran the review once and noted it, so a later start does not read every held referral.
        await().atMost(DEADLINE).until(() -> mongo.exists(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("_id")
                        .is("held-referrals-consent-review")), "referral-migrations"));
        assertThat(withdrawals.stopHeldReferralsWithoutConsent()).as("stopped").isGreaterThanOrEqualTo(1);

        List<JsonNode> holds = eventsOf(id, "on-hold", 2);
        assertThat(holds.get(1).get("data").get("reason").asString()).isEqualTo("CONSENT_WITHDRAWN");
        String keptId = keptAccepted.get("id").asString();
        assertThat(typesSoFar(keptId, COLLEGE).stream().filter("on-hold"::equals)).as("consent in force")
                .hasSize(1);
        withdrawals.stopHeldReferralsWithoutConsent();
        assertThat(typesSoFar(id, COUNCIL).stream().filter("on-hold"::equals)).as("once").hasSize(2);
    }

    /**
     * Issue 14: the embedded store serves only {@code _id} and unique indexes, so looking up the learner's open
     * referrals and consents by {@code learnerId} read both collections whole for every withdrawal. Now the learner's
     * document (by {@code _id}) lists them, and they are read by {@code _id} (read off the wire).
     */
    @Test
    void aWithdrawalFindsTheLearnersReferralsAndConsentsThroughTheLearnersDocumentById() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        String id = step(worker(COLLEGE), submitted(s), "RECEIVE", null).get("id").asString();
        queries.clear();
        queries.recordOn(MongoQueryLog.SERVICE_THREADS);
        try {
            events.publish(new ConsentWithdrawn(s.learnerId(), s.consentId(), COLLEGE,
                    ConsentPurpose.REFERRAL_SHARING, Instant.now()));
            await().atMost(DEADLINE).until(() -> statusOf(id).equals("ON_HOLD"));
        } finally {
            queries.recordOn(MongoQueryLog.WEB_THREADS);
        }
        List<MongoQueryLog.Read> reads = queries.reads();
        assertThat(reads).filteredOn(read -> read.collection().equals("learner-referrals")).isNotEmpty()
                .allSatisfy(read -> assertThat(read.filter().keySet()).containsExactly("_id"));
        assertThat(reads).filteredOn(read -> Set.of("referrals", "consent-views").contains(read.collection()))
                .as("nothing looked up by learner").noneMatch(read -> read.filter().containsKey("learnerId"));
        assertThat(reads).filteredOn(read -> read.collection().equals("consent-views"))
                .as("the consents still in force, read by id")
                .anyMatch(read -> read.filter().keySet().equals(Set.of("_id")) && read.command().equals("find"));
    }

    @Test
    void aWithdrawalForAnotherAgencyOrPurposeLeavesTheReferralAlone() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        String id = submitted(s).get("id").asString();
        events.publish(new ConsentWithdrawn(s.learnerId(), "cns-" + UUID.randomUUID(), JOBCENTRE,
                ConsentPurpose.REFERRAL_SHARING, Instant.now()));
        events.publish(new ConsentWithdrawn(s.learnerId(), s.consentId(), COLLEGE, ConsentPurpose.CONTACT,
                Instant.now()));
        learnerEventsHandled(s.learnerId());
        assertThat(typesSoFar(id, COUNCIL)).containsExactly("submitted");
        assertThat(statusOf(id)).isEqualTo("SUBMITTED");
    }

    @Test
    void theConsentReadModelIsRebuiltFromTheEventsAlone() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        await().atMost(DEADLINE).until(() -> mongo.findById(s.consentId(), ConsentView.class) != null);
        ConsentView built = mongo.findById(s.consentId(), ConsentView.class);

        // Lose the view, then replay the same facts (new event ids, as a replay from the topic brings them).
        mongo.remove(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("_id").is(s.consentId())),
                ConsentView.class);
        grantConsentAgain(s, built);
        await().atMost(DEADLINE).until(() -> built.equals(mongo.findById(s.consentId(), ConsentView.class)));
        // Replayed once more onto the rebuilt view: consumed (the inbox says so), and the view is unchanged.
        consumed(grantConsentAgain(s, built));
        assertThat(mongo.findById(s.consentId(), ConsentView.class)).isEqualTo(built);
        events.publish(new OpportunityPublished(s.opportunityId(), COLLEGE, OpportunityKind.FORMAL_LEARNING, "E2",
                20, 0, Instant.now()));
        assertThat(submitted(s).get("status").asString()).isEqualTo("SUBMITTED");
        assertThat(mongo.findById(s.consentId(), ConsentView.class)).isEqualTo(built);
    }

    /** @return the event id */
    private static String grantConsentAgain(Scenario s, ConsentView built) {
        return events.publish(new org.pathways.events.learner.ConsentGranted(s.learnerId(), s.consentId(), s.agency(),
                ConsentPurpose.REFERRAL_SHARING, built.grantedAt(), null));
    }
}
