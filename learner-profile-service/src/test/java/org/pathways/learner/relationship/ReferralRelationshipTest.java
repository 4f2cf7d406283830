package org.pathways.learner.relationship;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.events.Topic;
import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralCancelled;
import org.pathways.events.referral.ReferralCompleted;
import org.pathways.events.referral.ReferralPutOnHold;
import org.pathways.events.referral.ReferralReason;
import org.pathways.events.referral.ReferralReceived;
import org.pathways.events.referral.ReferralRejected;
import org.pathways.events.referral.ReferralResumed;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/**
 * Read access through a live referral: the referral events open the referral fields to the receiving agency, to
 * read only, while the referral is open, and end it when it closes. The referring agency gains nothing.
 */
class ReferralRelationshipTest extends LearnerProfileServiceTest {

    private static final String HANDLER = "referral-relationships";
    private static EventProducer referralService;

    @org.springframework.beans.factory.annotation.Autowired
    org.pathways.testing.StoreCommands storeCommands;

    @org.springframework.beans.factory.annotation.Autowired
    ReferralsByLearner byLearner;

    @BeforeAll
    static void connect() {
        referralService = new EventProducer();
    }

    @AfterAll
    static void disconnect() {
        referralService.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String submit(String referralId, String learnerId, String from, String to, Instant at) {
        return referralService.publish(new ReferralSubmitted(referralId, learnerId, "opp-esol", from, to,
                Urgency.ROUTINE, at));
    }

    private static String close(String referralId, String learnerId, String from, String to, Instant at) {
        return referralService.publish(new ReferralCompleted(referralId, learnerId, "opp-esol", from, to,
                ReferralStatus.COMPLETED, null, to, at));
    }

    /** A learner the council registered and referred to a new receiving agency, the submission handled. */
    private record Referred(String learnerId, String receiving, String referralId, String submitted,
                            Instant submittedAt) {
    }

    /**
     * Registers a learner at the council and refers them, at {@code at}, to a new agency (a {@code receiving} of its
     * own); returns once the submission is handled.
     */
    private Referred referredTo(String receiving, Instant at) {
        String learnerId = registerLearner(COUNCIL);
        String agency = unique(receiving);
        String referralId = unique("ref");
        String submitted = submit(referralId, learnerId, COUNCIL, agency, at);
        awaitHandled(HANDLER, submitted);
        return new Referred(learnerId, agency, referralId, submitted, at);
    }

    private Referred referredTo(String receiving) {
        return referredTo(receiving, Instant.now());
    }

    private int statusFor(String learnerId, String agency) {
        return api().get("/api/learners/" + learnerId, TestTokens.worker(agency)).status();
    }

    private List<JsonNode> trail(String learnerId) {
        return api().get("/api/learners/" + learnerId + "/audit", TestTokens.worker(COUNCIL)).body().valueStream()
                .toList();
    }

    @Test
    void aLiveReferralOpensTheReferralFieldsToTheReceivingAgencyAndTheAuditSaysWhy() {
        String learnerId = registerLearner(COUNCIL);
        String receiving = unique("agency-college");
        String referralId = unique("ref");
        assertThat(statusFor(learnerId, receiving)).isEqualTo(404);

        submit(referralId, learnerId, COUNCIL, receiving, Instant.now());

        await().atMost(EVENT_DEADLINE).until(() -> statusFor(learnerId, receiving) == 200);
        HttpApi.Response view = get("/api/learners/" + learnerId, TestTokens.worker(receiving),
                "X-Access-Purpose", "REFERRAL");
        assertThat(view.body().path("sharedFor").toString()).isEqualTo("[\"REFERRAL_SHARING\"]");
        assertThat(view.text("dateOfBirth")).isEqualTo("1994-03-17");
        assertThat(view.body().path("email").isNull()).as("contact details are not what a referral needs").isTrue();
        assertThat(view.body().path("phone").isNull()).isTrue();
        assertThat(view.body().path("consents")).isEmpty();
        JsonNode read = trail(learnerId).getLast();
        assertThat(read.path("agencyId").asString()).isEqualTo(receiving);
        assertThat(read.path("purpose").asString()).isEqualTo("REFERRAL");
        assertThat(read.path("grounds").toString()).isEqualTo("[\"referral:" + referralId + "\"]");
        assertThat(api().get("/api/learners/" + learnerId + "/milestones", TestTokens.worker(receiving)).status())
                .as("the timeline is for outcome sharing, which a referral is not").isEqualTo(404);
        assertThat(send("PATCH", "/api/learners/" + learnerId, TestTokens.worker(receiving),
                Map.of("goals", "Rewritten by the receiver", "version", view.body().path("version").asLong()))
                .isProblem(403, "field-not-shared")).as("a referral opens the record to read, not to change").isTrue();
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(COUNCIL)).body().path("goals")
                .isNull()).isTrue();
    }

    @Test
    void aReferralItReceivesLetsTheAgencyNeitherRecordMilestonesNorLinkTheLearner() {
        String learnerId = registerLearner(COUNCIL);
        String receiving = unique("agency-college");
        String ownRecord = registerLearner(receiving);
        submit(unique("ref"), learnerId, COUNCIL, receiving, Instant.now());
        await().atMost(EVENT_DEADLINE).until(() -> statusFor(learnerId, receiving) == 200);
        String worker = TestTokens.worker(receiving);

        assertThat(send("POST", "/api/learners/" + learnerId + "/milestones", worker,
                Map.of("kind", "INITIAL_ASSESSMENT", "occurredOn", "2026-02-01")).isProblem(403, "read-only-access"))
                .as("a milestone recorded through a referral the agency may only read").isTrue();
        assertThat(send("POST", "/api/learners/" + learnerId + "/links", worker,
                Map.of("otherLearnerId", ownRecord)).isProblem(403, "read-only-access"))
                .as("a link written into the record it may only read").isTrue();
        assertThat(send("POST", "/api/learners/" + ownRecord + "/links", worker,
                Map.of("otherLearnerId", learnerId)).isProblem(403, "read-only-access"))
                .as("the same link, from its own record").isTrue();
        JsonNode registering = api().get("/api/learners/" + learnerId, TestTokens.worker(COUNCIL)).body();
        assertThat(registering.path("otherLinkedRecords").asInt()).as("no link written").isZero();
        assertThat(api().get("/api/learners/" + learnerId + "/milestones", TestTokens.worker(COUNCIL)).body())
                .as("no milestone written").isEmpty();

        // A consent in force is standing to add to the record: the refusal was about the referral alone.
        assertThat(send("POST", "/api/learners/" + learnerId + "/consents", TestTokens.worker(COUNCIL),
                Map.of("agencyId", receiving, "purpose", "OUTCOME_SHARING", "method", "WRITTEN")).status())
                .isEqualTo(201);
        assertThat(send("POST", "/api/learners/" + learnerId + "/milestones", worker,
                Map.of("kind", "INITIAL_ASSESSMENT", "occurredOn", "2026-02-01")).status()).isEqualTo(201);
    }

    @Test
    void aReferringAgencyGainsNothingFromAReferralAndTheReceiverOnlyWhileItIsOpen() {
        String jobcentre = unique("agency-jobcentre");
        String council = unique("agency-council");
        String college = unique("agency-college");
        String learnerId = registerLearner(jobcentre);
        String referralId = unique("ref");

        // The council refers the job centre's learner, with which it has no standing, to a college.
        String submitted = submit(referralId, learnerId, council, college, Instant.now());
        awaitHandled(HANDLER, submitted);

        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(council)).isProblem(404, "not-found"))
                .as("the referrer").isTrue();
        assertThat(api().get("/api/learners/" + learnerId + "/milestones", TestTokens.worker(council)).status())
                .isEqualTo(404);
        assertThat(send("PATCH", "/api/learners/" + learnerId, TestTokens.worker(council),
                Map.of("goals", "Set by the council", "version", 0)).status()).isEqualTo(404);
        assertThat(api().get("/api/learners/" + learnerId + "/consents/check?agencyId=" + council
                + "&purpose=CONTACT", TestTokens.worker(council)).status()).isEqualTo(404);
        HttpApi.Response atCollege = api().get("/api/learners/" + learnerId, TestTokens.worker(college));
        assertThat(atCollege.status()).as("the receiver, while the referral is open").isEqualTo(200);
        assertThat(atCollege.body().path("sharedFor").toString()).isEqualTo("[\"REFERRAL_SHARING\"]");

        String closed = referralService.publish(new ReferralCompleted(referralId, learnerId, "opp-esol", council,
                college, ReferralStatus.COMPLETED, null, college, Instant.now().plusSeconds(1)));
        awaitHandled(HANDLER, closed);

        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(college)).isProblem(404, "not-found"))
                .as("the receiver, once the referral is closed").isTrue();
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(council)).status()).isEqualTo(404);
        assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(jobcentre)).status()).isEqualTo(200);
    }

    @Test
    void onHoldKeepsTheRelationshipLiveAndClosingTheReferralEndsIt() {
        String learnerId = registerLearner(COUNCIL);
        String receiving = unique("agency-health");
        String referralId = unique("ref");
        Instant start = Instant.now().minusSeconds(60);
        submit(referralId, learnerId, COUNCIL, receiving, start);
        String held = referralService.publish(new ReferralPutOnHold(referralId, learnerId, "opp-esol", COUNCIL,
                receiving, ReferralStatus.ON_HOLD, ReferralReason.WAITLISTED, receiving, start.plusSeconds(10)));
        awaitHandled(HANDLER, held);
        assertThat(statusFor(learnerId, receiving)).as("on a waiting list: still the learner's referral")
                .isEqualTo(200);

        referralService.publish(new ReferralRejected(referralId, learnerId, "opp-esol", COUNCIL, receiving,
                ReferralStatus.REJECTED, ReferralReason.NO_CAPACITY, receiving, start.plusSeconds(20)));

        await().atMost(EVENT_DEADLINE).until(() -> statusFor(learnerId, receiving) == 404);
        assertThat(api().get("/api/learners/" + learnerId + "/milestones", TestTokens.worker(receiving)).status())
                .isEqualTo(404);
    }

    @Test
    void aReferralHeldBecauseTheLearnersConsentWasWithdrawnNoLongerOpensTheirRecordUntilItResumes() {
        Instant start = Instant.now().minusSeconds(60);
        Referred referred = referredTo("agency-college", start);
        assertThat(statusFor(referred.learnerId(), referred.receiving())).isEqualTo(200);

        // The referral-service holds the referral when the consent that covered it is withdrawn: the grounds the
        // receiving agency read the learner on are gone, though the referral stays open (it may resume).
        String held = referralService.publish(new ReferralPutOnHold(referred.referralId(), referred.learnerId(),
                "opp-esol", COUNCIL, referred.receiving(), ReferralStatus.ON_HOLD, ReferralReason.CONSENT_WITHDRAWN,
                COUNCIL, start.plusSeconds(10)));
        awaitHandled(HANDLER, held);
        assertThat(statusFor(referred.learnerId(), referred.receiving())).as("the profile after the withdrawal")
                .isEqualTo(404);
        assertThat(api().get("/api/learners/" + referred.learnerId() + "/team",
                TestTokens.worker(referred.receiving())).status()).as("the team view").isEqualTo(404);

        // Resumed (the referral-service resumes only with a consent in force again): the record opens again.
        String resumed = referralService.publish(new ReferralResumed(referred.referralId(), referred.learnerId(),
                "opp-esol", COUNCIL, referred.receiving(), ReferralStatus.ACCEPTED, null, referred.receiving(),
                start.plusSeconds(20)));
        awaitHandled(HANDLER, resumed);
        assertThat(statusFor(referred.learnerId(), referred.receiving())).as("the profile once resumed")
                .isEqualTo(200);
    }

    @Test
    void aReferralOnTheWaitingListHeldAgainForAWithdrawnConsentNoLongerOpensTheRecord() {
        Instant start = Instant.now().minusSeconds(60);
        Referred referred = referredTo("agency-college", start);
        String waitlisted = referralService.publish(new ReferralPutOnHold(referred.referralId(),
                referred.learnerId(), "opp-esol", COUNCIL, referred.receiving(), ReferralStatus.ON_HOLD,
                ReferralReason.WAITLISTED, referred.receiving(), start.plusSeconds(10)));
        awaitHandled(HANDLER, waitlisted);
        assertThat(statusFor(referred.learnerId(), referred.receiving())).as("on the waiting list").isEqualTo(200);

        // The referral-service holds it again, for the consent, when the learner withdraws it meanwhile.
        String held = referralService.publish(new ReferralPutOnHold(referred.referralId(), referred.learnerId(),
                "opp-esol", COUNCIL, referred.receiving(), ReferralStatus.ON_HOLD, ReferralReason.CONSENT_WITHDRAWN,
                COUNCIL, start.plusSeconds(20)));
        awaitHandled(HANDLER, held);
        assertThat(statusFor(referred.learnerId(), referred.receiving())).as("the profile after the withdrawal")
                .isEqualTo(404);
    }

    @Test
    void whenOneReferralClosesAnotherRelationshipKeepsAccessAndTheAuditNamesIt() {
        String learnerId = registerLearner(COUNCIL);
        String receiving = unique("agency-housing");
        String first = unique("ref");
        String second = unique("ref");
        Instant now = Instant.now();
        submit(first, learnerId, COUNCIL, receiving, now);
        String secondSubmitted = submit(second, learnerId, COUNCIL, receiving, now);
        awaitHandled(HANDLER, secondSubmitted);
        api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COUNCIL),
                Map.of("agencyId", receiving, "purpose", "CONTACT", "method", "VERBAL"));

        String cancelled = referralService.publish(new ReferralCancelled(first, learnerId, "opp-esol", COUNCIL,
                receiving, ReferralStatus.CANCELLED, null, COUNCIL, now.plusSeconds(1)));
        awaitHandled(HANDLER, cancelled);

        HttpApi.Response view = api().get("/api/learners/" + learnerId, TestTokens.worker(receiving));
        assertThat(view.status()).isEqualTo(200);
        assertThat(view.text("email")).as("the consent to contact").isEqualTo("amina.okafor@example.org");
        List<String> grounds = trail(learnerId).getLast().path("grounds").valueStream().map(JsonNode::asString)
                .toList();
        assertThat(grounds).hasSize(2).contains("referral:" + second).anyMatch(g -> g.startsWith("consent:cns-"));

        close(second, learnerId, COUNCIL, receiving, now.plusSeconds(2));
        await().atMost(EVENT_DEADLINE).until(() -> api().get("/api/learners/" + learnerId,
                TestTokens.worker(receiving)).body().path("dateOfBirth").isNull());
        assertThat(statusFor(learnerId, receiving)).as("the consent remains").isEqualTo(200);
    }

    @Test
    void lateOrRedeliveredNewsNeverReopensAClosedReferral() {
        Referred referred = referredTo("agency-college", Instant.now().minusSeconds(120));
        String learnerId = referred.learnerId();
        String receiving = referred.receiving();
        String referralId = referred.referralId();
        Instant submittedAt = referred.submittedAt();
        assertThat(statusFor(learnerId, receiving)).isEqualTo(200);

        // The close overtakes the acceptance; then the acceptance, and the submission again, arrive late.
        close(referralId, learnerId, COUNCIL, receiving, submittedAt.plusSeconds(60));
        referralService.publish(new ReferralAccepted(referralId, learnerId, "opp-esol", COUNCIL, receiving,
                ReferralStatus.ACCEPTED, null, receiving, submittedAt.plusSeconds(30)));
        referralService.publish(referred.submitted(), new ReferralSubmitted(referralId, learnerId, "opp-esol",
                COUNCIL, receiving, Urgency.ROUTINE, submittedAt));
        // A marker after them on the same key: once handled, everything before it on the partition was too.
        String marker = referralService.publishRaw(Topic.REFERRALS.topicName(), "org.pathways.referral.note-added.v1",
                referralId, Map.of("referralId", referralId, "noteId", "note-1"));
        awaitHandled(HANDLER, marker);

        assertThat(statusFor(learnerId, receiving)).isEqualTo(404);
    }

    /** A crash after the relationship's write and before the inbox's mark: the event comes again and writes nothing. */
    @Test
    void referralNewsDeliveredAgainAfterACrashIsAppliedOnce() {
        Referred referred = referredTo("agency-college", Instant.now().minusSeconds(120));
        String learnerId = referred.learnerId();
        String receiving = referred.receiving();
        String referralId = referred.referralId();
        String submitted = referred.submitted();
        org.bson.Document before = mongo.findById(referralId, org.bson.Document.class, "referral_relationships");
        assertThat(before.getList(org.pathways.messaging.inbox.AppliedEvents.FIELD, String.class))
                .containsExactly(submitted);

        mongo.remove(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("_id").is(HANDLER + ":" + submitted)),
                "inbox");
        referralService.publish(submitted, new ReferralSubmitted(referralId, learnerId, "opp-esol", COUNCIL,
                receiving, Urgency.ROUTINE, referred.submittedAt()));
        awaitHandled(HANDLER, submitted);

        assertThat(mongo.findById(referralId, org.bson.Document.class, "referral_relationships")).isEqualTo(before);
        assertThat(statusFor(learnerId, receiving)).isEqualTo(200);
    }

    @Test
    void newerNewsWinsOverOlderNewsArrivingLateWhileTheReferralIsOpen() {
        String learnerId = registerLearner(COUNCIL);
        String receiving = unique("agency-school");
        String referralId = unique("ref");
        Instant t0 = Instant.now().minusSeconds(120);
        submit(referralId, learnerId, COUNCIL, receiving, t0);
        String received = referralService.publish(new ReferralReceived(referralId, learnerId, "opp-esol", COUNCIL,
                receiving, ReferralStatus.RECEIVED, null, receiving, t0.plusSeconds(10)));
        awaitHandled(HANDLER, received);
        assertThat(statusFor(learnerId, receiving)).isEqualTo(200);

        // A close that arrives late still closes (closing is final), whatever its time says.
        String closed = referralService.publish(new ReferralCancelled(referralId, learnerId, "opp-esol", COUNCIL,
                receiving, ReferralStatus.CANCELLED, null, COUNCIL, t0.plusSeconds(5)));
        awaitHandled(HANDLER, closed);
        assertThat(statusFor(learnerId, receiving)).isEqualTo(404);
    }

    @Test
    void aThirdAgencyGainsNothingFromSomeoneElsesReferral() {
        Referred referred = referredTo("agency-college");
        assertThat(statusFor(referred.learnerId(), referred.receiving())).isEqualTo(200);
        assertThat(statusFor(referred.learnerId(), HOUSING)).isEqualTo(404);
    }

    @Test
    void erasingTheLearnerForgetsWhereTheyWereReferred() {
        String learnerId = referredTo("agency-health").learnerId();
        org.springframework.data.mongodb.core.query.Query ofLearner = org.springframework.data.mongodb.core.query
                .Query.query(org.springframework.data.mongodb.core.query.Criteria.where("learnerId").is(learnerId));
        assertThat(mongo.count(ofLearner, ReferralRelationship.class)).isEqualTo(1);

        assertThat(api().delete("/api/learners/" + learnerId, TestTokens.worker(COUNCIL)).status()).isEqualTo(200);

        assertThat(mongo.count(ofLearner, ReferralRelationship.class)).isZero();
    }

    /**
     * Every read of a learner by an agency that did not register them asks which of the learner's open referrals the
     * agency receives: by {@code _id} only, so that it costs the same whatever the partnership holds (the embedded
     * store reads the whole collection for any other query).
     */
    @Test
    void aReceivingAgencysReadFindsTheLearnersReferralsByIdOnly() {
        Referred referred = referredTo("agency-college");

        assertThat(statusFor(referred.learnerId(), referred.receiving())).isEqualTo(200);
        assertThat(statusFor(referred.learnerId(), HOUSING)).isEqualTo(404);

        // On the threads serving HTTP requests (the event consumer reads by _id too, and the start's migration reads
        // everything once).
        java.util.function.Predicate<String> requests = thread -> thread.startsWith("tomcat-handler");
        assertThat(storeCommands.filterFields(requests, "find referral_relationships")).isNotEmpty()
                .allSatisfy(fields -> assertThat(fields).containsExactly("_id"));
        assertThat(storeCommands.filterFields(requests, "find " + ReferralsByLearner.COLLECTION)).isNotEmpty()
                .allSatisfy(fields -> assertThat(fields).containsExactly("_id"));
    }

    /** Relationships kept before the lists by learner existed are listed at start, and open the record as before. */
    @Test
    void relationshipsKeptBeforeTheListsByLearnerAreListedOnce() {
        Referred referred = referredTo("agency-college");
        String learnerId = referred.learnerId();
        String receiving = referred.receiving();
        mongo.remove(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("_id").is(learnerId)),
                ReferralsByLearner.COLLECTION);
        assertThat(statusFor(learnerId, receiving)).isEqualTo(404);

        assertThat(byLearner.build()).isPositive();

        assertThat(statusFor(learnerId, receiving)).isEqualTo(200);
        assertThat(mongo.findById(learnerId, org.bson.Document.class, ReferralsByLearner.COLLECTION)
                .getList("referralIds", String.class)).containsExactly(referred.referralId());
    }
}
