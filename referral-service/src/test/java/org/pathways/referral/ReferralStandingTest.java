package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencyRegistered;
import org.pathways.events.agency.AgencySector;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.readmodel.ConsentView;
import org.pathways.referral.readmodel.OpportunityView;
import org.pathways.testing.HttpApi;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.databind.JsonNode;

/**
 * Referring is not a way in: an agency refers a learner only if it registered them or holds a consent in force to
 * share for referral (for itself or its kind). Anyone else is answered 404, as for a learner that does not exist,
 * and nothing is written (so nothing can be published: the outbox lives in the referral's own document).
 */
class ReferralStandingTest extends ReferralServiceTest {

    private String publishedCourse(String agency) {
        String opportunityId = "opp-" + UUID.randomUUID();
        events.publish(new OpportunityPublished(opportunityId, agency, OpportunityKind.FORMAL_LEARNING, "E2", 20, 0,
                Instant.now()));
        await().atMost(DEADLINE).until(() -> store.findById(opportunityId, OpportunityView.class) != null);
        return opportunityId;
    }

    private static String body(String learnerId, String opportunityId) {
        return """
                {"learnerId":"%s","opportunityId":"%s","need":"Wants to improve spoken English","urgency":"ROUTINE"}
                """.formatted(learnerId, opportunityId);
    }

    private long referralsOf(String learnerId) {
        return store.count(Query.query(Criteria.where("learnerId").is(learnerId)), Referral.class);
    }

    private void consent(String learnerId, String agency, AgencyKind kind, ConsentPurpose purpose) {
        String consentId = "cns-" + UUID.randomUUID();
        events.publish(new ConsentGranted(learnerId, consentId, agency, kind, purpose, Instant.now().minusSeconds(1),
                null));
        await().atMost(DEADLINE).until(() -> store.findById(consentId, ConsentView.class) != null);
    }

    @Test
    void aStrangerAgencyCannotReferALearnerItHasNoStandingForEvenToAnAgencyTheLearnerConsentedTo() {
        String learnerId = "lrn-" + UUID.randomUUID();
        registered(learnerId, JOBCENTRE);
        consent(learnerId, COLLEGE, null, ConsentPurpose.REFERRAL_SHARING);
        // A consent for another purpose gives the council no standing either.
        consent(learnerId, COUNCIL, null, ConsentPurpose.CONTACT);
        String course = publishedCourse(COLLEGE);

        HttpApi.Response stranger = api().post("/api/referrals", worker(COUNCIL), body(learnerId, course));
        assertThat(stranger.isProblem(404, "not-found")).as(stranger.toString()).isTrue();
        HttpApi.Response unknown = api().post("/api/referrals", worker(COUNCIL),
                body("lrn-" + UUID.randomUUID(), course));
        assertThat(unknown.isProblem(404, "not-found")).as("exactly like a learner that does not exist").isTrue();
        assertThat(referralsOf(learnerId)).isZero();

        // The jobcentre registered them: it may.
        HttpApi.Response registering = api().post("/api/referrals", worker(JOBCENTRE), body(learnerId, course));
        assertThat(registering.status()).as(registering.toString()).isEqualTo(201);
        assertThat(registering.text("referringAgencyId")).isEqualTo(JOBCENTRE);
        assertThat(referralsOf(learnerId)).isOne();
    }

    @Test
    void aConsentToShareForReferralForTheAgencyOrItsKindGivesItStandingToReferOnwards() {
        String learnerId = "lrn-" + UUID.randomUUID();
        registered(learnerId, JOBCENTRE);
        consent(learnerId, COLLEGE, null, ConsentPurpose.REFERRAL_SHARING);
        String course = publishedCourse(COLLEGE);
        String housing = "agency-housing-" + UUID.randomUUID().toString().substring(0, 8);
        String advice = publishedCourse(housing);
        consent(learnerId, housing, null, ConsentPurpose.REFERRAL_SHARING);

        // The college (consented to for referral) may refer the learner on to another consented agency.
        HttpApi.Response byCollege = api().post("/api/referrals", worker(COLLEGE), body(learnerId, advice));
        assertThat(byCollege.status()).as(byCollege.toString()).isEqualTo(201);

        // A council, once the learner consents to share with every council, may refer them too.
        String council = "agency-council-" + UUID.randomUUID().toString().substring(0, 8);
        events.publish(new AgencyRegistered(council, AgencyKind.COUNCIL, AgencySector.PUBLIC, true, Instant.now()));
        await().atMost(DEADLINE).until(() -> agencyKinds.find(council).isPresent());
        assertThat(api().post("/api/referrals", worker(council), body(learnerId, course)).isProblem(404, "not-found"))
                .isTrue();
        consent(learnerId, null, AgencyKind.COUNCIL, ConsentPurpose.REFERRAL_SHARING);
        HttpApi.Response byCouncil = api().post("/api/referrals", worker(council), body(learnerId, course));
        assertThat(byCouncil.status()).as(byCouncil.toString()).isEqualTo(201);
    }

    @Test
    void aReceivingAgencyWhoseConsentWasWithdrawnCannotStartANextStepButTheRegisteringAgencyCan() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode completed = completed(submitted(s), COLLEGE);
        String provider = "agency-onward-" + UUID.randomUUID().toString().substring(0, 8);
        String onward = publishedCourse(provider);
        consent(s.learnerId(), provider, null, ConsentPurpose.REFERRAL_SHARING);
        events.publish(new ConsentWithdrawn(s.learnerId(), s.consentId(), COLLEGE, ConsentPurpose.REFERRAL_SHARING,
                Instant.now()));
        learnerEventsHandled(s.learnerId());
        String path = "/api/referrals/" + completed.get("id").asString() + "/next-steps";

        HttpApi.Response refused = api().post(path, worker(COLLEGE), Map.of("opportunityId", onward));
        assertThat(refused.isProblem(403, "no-standing")).as(refused.toString()).isTrue();
        assertThat(referralsOf(s.learnerId())).isOne();
        assertThat(api().get("/api/referrals/" + completed.get("id").asString(), worker(COUNCIL)).body()
                .has("nextReferralId")).isFalse();

        HttpApi.Response started = api().post(path, worker(COUNCIL), Map.of("opportunityId", onward));
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
    }

    @Test
    void aReceivingAgencyWhoseConsentWasWithdrawnCannotRerouteTheLearnerElsewhere() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode received = step(worker(COLLEGE), submitted(s), "RECEIVE", null);
        String id = received.get("id").asString();
        String provider = "agency-elsewhere-" + UUID.randomUUID().toString().substring(0, 8);
        String elsewhere = publishedCourse(provider);
        consent(s.learnerId(), provider, null, ConsentPurpose.REFERRAL_SHARING);
        events.publish(new ConsentWithdrawn(s.learnerId(), s.consentId(), COLLEGE, ConsentPurpose.REFERRAL_SHARING,
                Instant.now()));
        await().atMost(DEADLINE).until(() -> "ON_HOLD".equals(api().get("/api/referrals/" + id, worker(COUNCIL))
                .text("status")));
        long version = api().get("/api/referrals/" + id, worker(COUNCIL)).body().get("version").asLong();

        HttpApi.Response refused = api().post("/api/referrals/" + id + "/reroute", worker(COLLEGE),
                Map.of("opportunityId", elsewhere, "version", version));
        assertThat(refused.isProblem(404, "not-found")).as(refused.toString()).isTrue();
        assertThat(referralsOf(s.learnerId())).isOne();
        assertThat(api().get("/api/referrals/" + id, worker(COUNCIL)).text("status")).isEqualTo("ON_HOLD");

        HttpApi.Response byReferrer = api().post("/api/referrals/" + id + "/reroute", worker(COUNCIL),
                Map.of("opportunityId", elsewhere, "version", version));
        assertThat(byReferrer.status()).as(byReferrer.toString()).isEqualTo(201);
    }
}
