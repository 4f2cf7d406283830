package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LearnerErased;
import org.pathways.events.referral.Urgency;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.erasure.LearnerErasure;
import org.pathways.referral.readmodel.ConsentView;
import org.pathways.referral.readmodel.LearnerView;
import org.pathways.referral.readmodel.OpportunityView;
import org.pathways.testing.HttpApi;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The right to erasure: when the learner-profile-service erases a learner, every referral of theirs loses the
 * personal data it held (shared summary, need, note and reason texts) and says it was erased, while what is
 * pseudonymous and counted stays (ids, statuses, dates, codes, who acted), in the API and in the store alike.
 */
class LearnerErasureTest extends ReferralServiceTest {

    @Autowired
    Outbox outbox;
    @Autowired
    LearnerErasure learnerErasure;

    private static final String NOTE = "Mina prefers mornings; her daughter's nursery is on Otley Road";
    private static final String REJECTION = "She found a place nearer home with her sister's help";

    private JsonNode referral(String id, String token) {
        return api().get("/api/referrals/" + id, token).body();
    }

    private void awaitCourseKnown(String opportunityId) {
        await().atMost(DEADLINE).until(() -> store.findById(opportunityId, OpportunityView.class) != null);
    }

    private static String note(String text) {
        return "{\"text\":\"" + text + "\"}";
    }

    @Test
    void erasingALearnerRemovesTheirPersonalDataFromEveryReferralButKeepsThemCounted() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode open = submittedWithSummary(s);
        String openId = open.get("id").asString();
        assertThat(api().post("/api/referrals/" + openId + "/notes", worker(COUNCIL), note(NOTE)).status())
                .isEqualTo(201);
        JsonNode received = step(worker(COLLEGE), referral(openId, worker(COLLEGE)), "RECEIVE", null);
        String noteId = api().get("/api/referrals/" + openId + "/notes", worker(COLLEGE)).body().get(0)
                .get("id").asString();

        // A second referral of the same learner, rejected with free text.
        Scenario other = anotherCourseOfTheSameAgency(s);
        JsonNode second = submittedWithSummary(other);
        String rejectedId = second.get("id").asString();
        assertThat(transition(worker(COLLEGE), second, "REJECT", "OTHER", REJECTION).status()).isEqualTo(200);

        // Someone else's referral to the same course.
        Scenario bystander = anotherLearner(s);
        String bystanderId = submittedWithSummary(bystander).get("id").asString();
        api().post("/api/referrals/" + bystanderId + "/notes", worker(COLLEGE), note(NOTE));

        Instant erasedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        LearnerErased erasure = new LearnerErased(s.learnerId(), COUNCIL, erasedAt);
        String eventId = events.publish(erasure);
        await().atMost(DEADLINE).until(() -> referral(openId, worker(COUNCIL)).has("erasedAt")
                && referral(rejectedId, worker(COUNCIL)).has("erasedAt"));

        for (String token : new String[] {worker(COUNCIL), worker(COLLEGE)}) {
            JsonNode erased = referral(openId, token);
            assertThat(Instant.parse(erased.get("erasedAt").asString())).isEqualTo(erasedAt);
            assertThat(erased.has("sharedSummary")).isFalse();
            assertThat(erased.has("need")).isFalse();
            // Still there and still counted: ids, status, dates, history codes.
            assertThat(erased.get("status").asString()).isEqualTo("RECEIVED");
            assertThat(erased.get("learnerId").asString()).isEqualTo(s.learnerId());
            assertThat(Instant.parse(erased.get("submittedAt").asString())).isEqualTo(
                    Instant.parse(open.get("submittedAt").asString()).truncatedTo(ChronoUnit.MILLIS));
            assertThat(erased.get("sharedSummaryTakenAt").asString())
                    .isEqualTo(open.get("sharedSummaryTakenAt").asString());
            assertThat(erased.get("history")).hasSize(2);
            assertThat(erased.toString()).doesNotContain("Mina").doesNotContain("spoken English");

            JsonNode notes = api().get("/api/referrals/" + openId + "/notes", token).body();
            assertThat(notes).hasSize(1);
            assertThat(notes.get(0).get("id").asString()).isEqualTo(noteId);
            assertThat(notes.get(0).get("authorAgencyId").asString()).isEqualTo(COUNCIL);
            assertThat(notes.get(0).get("at").isNull()).isFalse();
            assertThat(notes.toString()).doesNotContain("Otley");
        }
        JsonNode rejected = referral(rejectedId, worker(COLLEGE));
        assertThat(rejected.get("status").asString()).isEqualTo("REJECTED");
        assertThat(rejected.get("history").get(1).get("reason").asString()).isEqualTo("OTHER");
        assertThat(rejected.toString()).doesNotContain("sister").doesNotContain("Mina");
        assertThat(referral(openId, coordinator()).has("erasedAt")).isTrue();

        // The inboxes still count both referrals and flag them as erased.
        JsonNode inbox = api().get("/api/referrals?direction=incoming&opportunityId=" + s.opportunityId(),
                worker(COLLEGE)).body();
        assertThat(inbox.get("items")).hasSize(2);
        for (JsonNode item : inbox.get("items")) {
            boolean erasedLine = item.get("id").asString().equals(openId);
            assertThat(item.has("erasedAt")).isEqualTo(erasedLine);
        }

        // Nothing personal is left in the store either (not just hidden by the API).
        Document stored = store.getCollection("referrals").find(new Document("_id", openId)).first();
        assertThat(stored.toJson()).doesNotContain("Mina").doesNotContain("Otley").doesNotContain("spoken English");
        assertThat(store.getCollection("referrals").find(new Document("_id", rejectedId)).first().toJson())
                .doesNotContain("sister");

        // No one can add personal data to it again, nor refer the erased learner anew.
        assertThat(api().post("/api/referrals/" + openId + "/notes", worker(COLLEGE), note("new"))
                .isProblem(409, "learner-erased")).isTrue();
        Scenario anew = anotherCourseOfTheSameAgency(s);
        awaitCourseKnown(anew.opportunityId());
        assertThat(api().post("/api/referrals", worker(COUNCIL), body(anew)).isProblem(422, "learner-erased"))
                .isTrue();
        JsonNode current = referral(openId, worker(COLLEGE));
        assertThat(api().post("/api/referrals/" + openId + "/reroute", worker(COLLEGE), Map.of("opportunityId",
                anew.opportunityId(), "version", current.get("version").asLong())).isProblem(422, "learner-erased"))
                .isTrue();
        // The loop can still be closed, pseudonymously: the reason's text is not kept.
        HttpApi.Response rejecting = transition(worker(COLLEGE), referral(openId, worker(COLLEGE)), "REJECT",
                "OTHER", "Mina moved away");
        assertThat(rejecting.status()).as(rejecting.toString()).isEqualTo(200);
        JsonNode declined = rejecting.body();
        assertThat(declined.get("status").asString()).isEqualTo("REJECTED");
        assertThat(declined.toString()).doesNotContain("Mina");

        // Redelivered (same event id) or published again (new id): harmless.
        long version = referral(rejectedId, worker(COLLEGE)).get("version").asLong();
        events.publish(eventId, erasure);
        events.publish(erasure);
        learnerEventsHandled(s.learnerId());
        assertThat(referral(rejectedId, worker(COLLEGE)).get("version").asLong()).isEqualTo(version);
        assertThat(Instant.parse(referral(rejectedId, worker(COLLEGE)).get("erasedAt").asString()))
                .isEqualTo(erasedAt);

        // Another learner's referral is untouched.
        JsonNode untouched = referral(bystanderId, worker(COLLEGE));
        assertThat(untouched.has("erasedAt")).isFalse();
        assertThat(untouched.get("sharedSummary").get("preferredName").asString()).isEqualTo("Mina");
        assertThat(untouched.get("need").asString()).contains("spoken English");
        assertThat(api().get("/api/referrals/" + bystanderId + "/notes", worker(COLLEGE)).body().toString())
                .contains("Otley");
        assertThat(received.get("status").asString()).isEqualTo("RECEIVED");
        assertThat(typesSoFar(bystanderId, COLLEGE)).containsExactly("submitted", "note-added");
    }

    /** Another published course of the scenario's agency, for the same learner (consent covers the agency). */
    private Scenario anotherCourseOfTheSameAgency(Scenario s) {
        Scenario course = consentedLearnerAndPublishedCourse(s.agency(), 20, 0);
        return new Scenario(s.learnerId(), course.opportunityId(), s.consentId(), s.agency());
    }

    @Test
    void anErasureDeliveredAgainAfterACrashScrubsTheNotesThatHadMovedOut() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        String id = submittedWithSummary(s).get("id").asString();
        assertThat(api().post("/api/referrals/" + id + "/notes", worker(COUNCIL), note(NOTE)).status())
                .isEqualTo(201);
        // The first delivery stopped between the referral's erased write and the scrub of its notes, which live
        // outside the referral's document: the referral says it is erased, its note still holds the text.
        Instant erasedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Referral referral = store.findById(id, Referral.class);
        assertThat(referral.erase(erasedAt)).isTrue();
        outbox.save(referral);
        assertThat(api().get("/api/referrals/" + id + "/notes", worker(COLLEGE)).body().toString()).contains("Otley");

        // Delivered again, the erasure finishes the scrub.
        events.publish(new LearnerErased(s.learnerId(), COUNCIL, erasedAt));
        learnerEventsHandled(s.learnerId());
        for (String token : new String[] {worker(COUNCIL), worker(COLLEGE)}) {
            JsonNode notes = api().get("/api/referrals/" + id + "/notes", token).body();
            assertThat(notes).hasSize(1);
            assertThat(notes.toString()).doesNotContain("Otley");
        }
    }

    @Test
    void anErasureOfALearnerWithNoReferralsChangesNothingAndFailsNothing() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        awaitCourseKnown(s.opportunityId());
        events.publish(new LearnerErased(s.learnerId(), COUNCIL, Instant.now()));
        learnerEventsHandled(s.learnerId());
        HttpApi.Response refused = api().post("/api/referrals", worker(COUNCIL), body(s));
        assertThat(refused.isProblem(422, "learner-erased")).as(refused.toString()).isTrue();
        assertThat(api().get("/api/referrals?direction=outgoing&opportunityId=" + s.opportunityId(),
                worker(COUNCIL)).body().get("items")).isEmpty();
    }

    @Test
    void aReferralWrittenWhileTheErasureSweptIsErasedByTheTombstoneCheck() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        events.publish(new LearnerErased(s.learnerId(), COUNCIL, Instant.now()));
        learnerEventsHandled(s.learnerId());
        // A submission that passed its checks before the erasure, and whose insert lands after the sweep looked.
        Referral late = Referral.submit(s.learnerId(), s.opportunityId(), COUNCIL, "w-1", COLLEGE,
                "Mina needs mornings", Urgency.ROUTINE, null, Instant.now(),
                new Referral.DueDates(Instant.now(), Instant.now()));
        late = outbox.save(late, late.submittedEvent());

        Referral checked = learnerErasure.eraseIfErasedMeanwhile(late);
        assertThat(checked.erased()).isTrue();
        assertThat(checked.need()).isNull();
        assertThat(referral(late.id(), worker(COUNCIL)).toString()).doesNotContain("Mina").contains("erasedAt");
    }

    @Test
    void eventsAboutALearnerArrivingAfterTheirErasureAreNotStoredWithTheirId() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        events.publish(new LearnerErased(s.learnerId(), COUNCIL, Instant.now()));
        // Recorded by the profile service just before the erasure, delivered after it (or replayed later).
        String lateConsent = "cns-late-" + java.util.UUID.randomUUID();
        events.publish(new org.pathways.events.learner.ConsentGranted(s.learnerId(), lateConsent, JOBCENTRE,
                org.pathways.events.learner.ConsentPurpose.REFERRAL_SHARING, Instant.now(), null));
        registered(s.learnerId(), JOBCENTRE);
        String marker = "cns-marker-" + java.util.UUID.randomUUID();
        events.publish(new org.pathways.events.learner.ConsentGranted(s.learnerId(), marker, "agency-marker",
                org.pathways.events.learner.ConsentPurpose.CONTACT, Instant.now(), null));

        // Consumed (the marker behind them on the same partition is in), and kept under the pseudonym only.
        await().atMost(DEADLINE).until(() -> store.findById(marker, ConsentView.class) != null);
        String pseudonym = store.findById(s.learnerId(), Document.class, "erased-learners").getString("pseudonym");
        assertThat(store.findById(lateConsent, ConsentView.class).learnerId()).isEqualTo(pseudonym)
                .isNotEqualTo(s.learnerId());
        assertThat(store.findById(s.learnerId(), LearnerView.class).registeringAgencyId()).isEqualTo(COUNCIL);
        assertThat(store.findById(pseudonym, LearnerView.class).registeringAgencyId()).isEqualTo(JOBCENTRE);
        // The late consent gives the jobcentre no standing for the learner, and the erased stay unreferrable.
        assertThat(api().post("/api/referrals", worker(JOBCENTRE), body(s)).isProblem(404, "not-found")).isTrue();
        assertThat(api().post("/api/referrals", worker(COUNCIL), body(s)).isProblem(422, "learner-erased")).isTrue();
    }
}
