package org.pathways.learner.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencyRegistered;
import org.pathways.events.agency.AgencySector;
import org.pathways.events.agency.AgencyUpdated;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.Topic;
import org.pathways.events.referral.ReferralReason;
import org.pathways.events.referral.ReferralRejected;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.platform.security.Role;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.pathways.testing.RecordedTopic;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The shared plan: versioned like the profile, changed only by a step's owner or the lead, seen by standing. */
class PlanTest extends LearnerProfileServiceTest {

    @RegisterExtension
    static final RecordedTopic learnerTopic = new RecordedTopic(Topic.LEARNERS.topicName());
    private static EventProducer referralService;
    private static EventProducer catalogue;

    @Autowired
    OverduePlanSteps overdueCheck;
    @Autowired
    StepOwnersFollowStanding standingCheck;

    @BeforeAll
    static void connect() {
        referralService = new EventProducer();
        catalogue = new EventProducer();
    }

    @AfterAll
    static void disconnect() {
        referralService.close();
        catalogue.close();
    }

    private static String plan(String learnerId) {
        return "/api/learners/" + learnerId + "/plan";
    }

    private HttpApi.Response addStep(String learnerId, String agency, Map<String, Object> step) {
        return send("POST", plan(learnerId) + "/steps", TestTokens.worker(agency), step, "If-Match",
                etag(plan(learnerId), TestTokens.worker(agency)));
    }

    private HttpApi.Response changeStep(String learnerId, String stepId, String agency, Map<String, Object> change) {
        return send("PATCH", plan(learnerId) + "/steps/" + stepId, TestTokens.worker(agency), change, "If-Match",
                etag(plan(learnerId), TestTokens.worker(agency)));
    }

    private static Map<String, Object> step(String title, String owner) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("title", title);
        step.put("ownerAgencyId", owner);
        return step;
    }

    private static String lastStepId(HttpApi.Response plan) {
        return plan.body().path("steps").valueStream().toList().getLast().path("stepId").asString();
    }

    private List<JsonNode> events(String learnerId, EventType type, int atLeast) {
        return learnerTopic.await(r -> isOfType(r, learnerId, type.type()), atLeast, EVENT_DEADLINE).stream()
                .map(LearnerProfileServiceTest::cloudEvent).map(event -> event.path("data")).toList();
    }

    /** Each step's owner agency, by step id, as the registering agency sees the plan. */
    private Map<String, String> owners(String learnerId) {
        Map<String, String> owners = new LinkedHashMap<>();
        api().get(plan(learnerId), TestTokens.worker(COLLEGE)).body().path("steps").valueStream()
                .forEach(step -> owners.put(step.path("stepId").asString(), step.path("ownerAgencyId").asString()));
        return owners;
    }

    /** Whether the learner's consent lets {@code agency} share referral details now (asked by the college). */
    private boolean consentsTo(String learnerId, String agency) {
        HttpApi.Response check = api().get("/api/learners/" + learnerId + "/consents/check?agencyId=" + agency
                + "&purpose=REFERRAL_SHARING", TestTokens.worker(COLLEGE));
        assertThat(check.status()).isEqualTo(200);
        return check.body().path("allowed").asBoolean();
    }

    private void referTo(String learnerId, String from, String receiving, String opportunityId) {
        String eventId = referralService.publish(new ReferralSubmitted("ref-" + UUID.randomUUID(), learnerId,
                opportunityId, from, receiving, Urgency.ROUTINE, Instant.now()));
        awaitHandled("referral-relationships", eventId);
    }

    @Test
    void thePlanIsVersionedLikeTheProfile() {
        String learnerId = registerLearner(COLLEGE);
        String token = TestTokens.worker(COLLEGE);
        assertThat(etag(plan(learnerId), token)).isEqualTo("\"0\"");
        HttpApi.Response empty = api().get(plan(learnerId), token);
        assertThat(empty.body().path("steps")).isEmpty();
        assertThat(empty.body().path("version").asLong()).isZero();

        assertThat(send("POST", plan(learnerId) + "/steps", token, step("Enrol on ESOL E2", COLLEGE))
                .isProblem(428, "version-required")).isTrue();
        assertThat(send("POST", plan(learnerId) + "/steps", token, step("Enrol on ESOL E2", COLLEGE),
                "If-Match", "three").isProblem(400, "validation")).isTrue();
        HttpApi.Response added = send("POST", plan(learnerId) + "/steps", token, step("Enrol on ESOL E2", COLLEGE),
                "If-Match", "\"0\"");
        assertThat(added.status()).isEqualTo(201);
        assertThat(added.body().path("version").asLong()).isEqualTo(1);
        assertThat(added.location()).hasValueSatisfying(location -> assertThat(location).contains("/plan/steps/stp-"));
        assertThat(send("POST", plan(learnerId) + "/steps", token, step("Second", COLLEGE), "If-Match", "\"0\"")
                .isProblem(412, "stale-version")).as("a change from a stale read is refused").isTrue();
        assertThat(api().get(plan(learnerId), token).body().path("steps")).hasSize(1);

        HttpApi.Response changed = send("PATCH", plan(learnerId) + "/steps/" + lastStepId(added), token,
                Map.of("status", "DOING"), "If-Match", "\"1\"");
        assertThat(changed.status()).isEqualTo(200);
        assertThat(etag(plan(learnerId), token)).isEqualTo("\"2\"");
    }

    @Test
    void aStepFollowsOnlyTheLearnersOwnReferral() {
        String learnerId = registerLearner(COLLEGE);
        String someoneElse = registerLearner(HOUSING);
        String theirs = "ref-" + UUID.randomUUID();
        awaitHandled("referral-relationships", referralService.publish(new ReferralSubmitted(theirs, someoneElse,
                "opp-tenancy-support", HOUSING, COUNCIL, Urgency.ROUTINE, Instant.now())));
        String own = "ref-" + UUID.randomUUID();
        awaitHandled("referral-relationships", referralService.publish(new ReferralSubmitted(own, learnerId,
                "opp-esol-e2", COLLEGE, COUNCIL, Urgency.ROUTINE, Instant.now())));

        // Following another person's referral would tell the step's owner and the lead of its every change.
        Map<String, Object> following = step("Follow the housing referral", COLLEGE);
        following.put("referralId", theirs);
        assertThat(addStep(learnerId, COLLEGE, following).isProblem(422, "referral-not-of-learner")).isTrue();
        following.put("referralId", "ref-" + UUID.randomUUID());
        assertThat(addStep(learnerId, COLLEGE, following).isProblem(422, "referral-not-of-learner"))
                .as("a referral unknown here").isTrue();
        assertThat(api().get(plan(learnerId), TestTokens.worker(COLLEGE)).body().path("steps"))
                .as("nothing written").isEmpty();

        following.put("referralId", own);
        HttpApi.Response added = addStep(learnerId, COLLEGE, following);
        assertThat(added.status()).isEqualTo(201);
        assertThat(added.body().path("steps").get(0).path("referralId").asString()).isEqualTo(own);
    }

    @Test
    void onlyTheOwnerAgencyOrTheLeadsAgencyChangesAStep() {
        String learnerId = registerLearner(COLLEGE);
        consentTo(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING");
        String stepId = lastStepId(addStep(learnerId, COLLEGE, step("Council tax reduction claim", COUNCIL)));

        assertThat(changeStep(learnerId, stepId, COLLEGE, Map.of("status", "DOING"))
                .isProblem(403, "not-step-owner")).as("the registering agency sees it but does not own it").isTrue();
        assertThat(changeStep(learnerId, stepId, COUNCIL, Map.of("status", "DOING")).status()).isEqualTo(200);

        assertThat(send("PUT", "/api/learners/" + learnerId + "/lead", TestTokens.token("college-ana", COLLEGE,
                Role.WORKER), Map.of("workerId", "college-ana")).status()).isEqualTo(200);
        HttpApi.Response byLead = changeStep(learnerId, stepId, COLLEGE, Map.of("dueOn",
                LocalDate.now(ZoneOffset.UTC).plusDays(14).toString()));
        assertThat(byLead.status()).as("the lead's agency may").isEqualTo(200);

        assertThat(changeStep(learnerId, stepId, COUNCIL, Map.of("status", "DONE")).status()).isEqualTo(200);
        assertThat(changeStep(learnerId, stepId, COUNCIL, Map.of("status", "DOING"))
                .isProblem(409, "step-closed")).isTrue();
    }

    @Test
    void anAgencyNeverSeesAnothersStepsItMayNotSee() {
        String learnerId = registerLearner(COLLEGE);
        referTo(learnerId, COLLEGE, HOUSING, "opp-tenancy-support");
        String collegeStep = lastStepId(addStep(learnerId, COLLEGE, step("Confidential: health appointment", COLLEGE)));
        String housingStep = lastStepId(addStep(learnerId, COLLEGE, step("Tenancy support first visit", HOUSING)));

        HttpApi.Response seenByHousing = api().get(plan(learnerId), TestTokens.worker(HOUSING));
        assertThat(seenByHousing.status()).isEqualTo(200);
        assertThat(seenByHousing.body().path("steps").valueStream().map(s -> s.path("stepId").asString()).toList())
                .containsExactly(housingStep);
        assertThat(seenByHousing.body().toString()).doesNotContain("Confidential");
        assertThat(changeStep(learnerId, collegeStep, HOUSING, Map.of("status", "DROPPED")).status())
                .as("a step it may not see does not exist for it").isEqualTo(404);
        assertThat(changeStep(learnerId, housingStep, HOUSING, Map.of("status", "DOING")).status())
                .as("it changes the step it owns").isEqualTo(200);
        assertThat(addStep(learnerId, HOUSING, step("Another", HOUSING)).isProblem(403, "read-only-access"))
                .as("it adds none: it has no standing").isTrue();
        assertThat(api().get(plan(learnerId), TestTokens.worker(COUNCIL)).status()).isEqualTo(404);
        assertThat(api().get(plan(learnerId), TestTokens.token("college-coordinator", COLLEGE, Role.COORDINATOR))
                .status()).isEqualTo(404);

        assertThat(api().get(plan(learnerId), TestTokens.worker(COLLEGE)).body().path("steps")).hasSize(2);
        assertThat(addStep(learnerId, COLLEGE, step("For a stranger", COUNCIL)).isProblem(422, "owner-not-in-team"))
                .isTrue();
    }

    @Test
    void everyChangePublishesItsEventOnceWithIdsAndCodesOnly() {
        String learnerId = registerLearner(COLLEGE);
        Map<String, Object> first = step("Secret step title", COLLEGE);
        first.put("dueOn", LocalDate.now(ZoneOffset.UTC).plusDays(7).toString());
        first.put("opportunityId", "opp-esol-e2");
        String stepId = lastStepId(addStep(learnerId, COLLEGE, first));
        assertThat(changeStep(learnerId, stepId, COLLEGE, Map.of("status", "DOING")).status()).isEqualTo(200);
        assertThat(changeStep(learnerId, stepId, COLLEGE, Map.of("status", "DOING")).status())
                .as("a change that changes nothing").isEqualTo(200);
        assertThat(changeStep(learnerId, stepId, COLLEGE, Map.of("status", "DONE")).status()).isEqualTo(200);

        List<ConsumerRecord<String, byte[]>> added = learnerTopic.await(
                r -> isOfType(r, learnerId, EventType.PLAN_STEP_ADDED.type()), 1, EVENT_DEADLINE);
        List<JsonNode> changed = events(learnerId, EventType.PLAN_STEP_CHANGED, 2);
        assertThat(added).hasSize(1);
        JsonNode addedData = cloudEvent(added.getFirst()).path("data");
        assertThat(addedData.path("stepId").asString()).isEqualTo(stepId);
        assertThat(addedData.path("ownerAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(addedData.path("status").asString()).isEqualTo("PLANNED");
        assertThat(addedData.path("opportunityId").asString()).isEqualTo("opp-esol-e2");
        assertThat(addedData.path("addedByAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(new String(added.getFirst().value(), StandardCharsets.UTF_8)).doesNotContain("Secret");
        assertThat(changed).hasSize(2);
        assertThat(changed).extracting(data -> data.path("previousStatus").asString() + ">"
                + data.path("status").asString()).containsExactly("PLANNED>DOING", "DOING>DONE");
    }

    @Test
    void anOverdueStepIsPublishedOncePerDueDate() {
        String learnerId = registerLearner(COLLEGE);
        Map<String, Object> late = step("Book the assessment", COLLEGE);
        late.put("dueOn", LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
        String lateStep = lastStepId(addStep(learnerId, COLLEGE, late));
        Map<String, Object> onTime = step("Not yet due", COLLEGE);
        onTime.put("dueOn", LocalDate.now(ZoneOffset.UTC).toString());
        addStep(learnerId, COLLEGE, onTime);
        String before = etag(plan(learnerId), TestTokens.worker(COLLEGE));

        overdueCheck.raiseOverdue();
        overdueCheck.raiseOverdue();

        List<JsonNode> overdue = events(learnerId, EventType.PLAN_STEP_OVERDUE, 1);
        assertThat(overdue).hasSize(1);
        assertThat(overdue.getFirst().path("stepId").asString()).isEqualTo(lateStep);
        assertThat(overdue.getFirst().path("dueOn").asString()).isEqualTo(late.get("dueOn"));
        assertThat(etag(plan(learnerId), TestTokens.worker(COLLEGE)))
                .as("the check does not make a worker's read stale").isEqualTo(before);
        assertThat(api().get(plan(learnerId), TestTokens.worker(COLLEGE)).body().path("steps").valueStream()
                .filter(s -> s.path("overdue").asBoolean()).map(s -> s.path("stepId").asString()).toList())
                .containsExactly(lateStep);

        // A new due date that passes is overdue again; the marker that the check ran twice more.
        String twoDaysAgo = LocalDate.now(ZoneOffset.UTC).minusDays(2).toString();
        assertThat(changeStep(learnerId, lateStep, COLLEGE, Map.of("dueOn", twoDaysAgo)).status()).isEqualTo(200);
        overdueCheck.raiseOverdue();
        overdueCheck.raiseOverdue();
        List<JsonNode> again = events(learnerId, EventType.PLAN_STEP_OVERDUE, 2);
        assertThat(again).extracting(data -> data.path("dueOn").asString())
                .containsExactly(late.get("dueOn").toString(), twoDaysAgo);
    }

    @Test
    void aStepsOwnerWhoseConsentIsWithdrawnHandsItBackToTheRegisteringAgencyAtOnce() {
        String learnerId = registerLearner(COLLEGE);
        String consentId = consentTo(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING");
        Map<String, Object> late = step("Call about the housing form", COUNCIL);
        late.put("dueOn", LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
        String stepId = lastStepId(addStep(learnerId, COLLEGE, late));

        assertThat(api().delete("/api/learners/" + learnerId + "/consents/" + consentId, TestTokens.worker(COLLEGE))
                .status()).isEqualTo(200);

        // The step is the college's now, and the change says so; the overdue notice goes to the college.
        JsonNode step = api().get(plan(learnerId), TestTokens.worker(COLLEGE)).body().path("steps").get(0);
        assertThat(step.path("stepId").asString()).isEqualTo(stepId);
        assertThat(step.path("ownerAgencyId").asString()).isEqualTo(COLLEGE);
        JsonNode changed = events(learnerId, EventType.PLAN_STEP_CHANGED, 1).getFirst();
        assertThat(changed.path("ownerAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(changed.path("changedByAgencyId").asString()).isEqualTo(COLLEGE);
        overdueCheck.raiseOverdue();
        assertThat(events(learnerId, EventType.PLAN_STEP_OVERDUE, 1)).singleElement()
                .satisfies(overdue -> assertThat(overdue.path("ownerAgencyId").asString()).isEqualTo(COLLEGE));
    }

    @Test
    void aStepsOwnerWhoseReferralClosedHandsItBackAtOnce() {
        String learnerId = registerLearner(COLLEGE);
        String referralId = "ref-" + UUID.randomUUID();
        String submitted = referralService.publish(new ReferralSubmitted(referralId, learnerId, "opp-esol", COLLEGE,
                COUNCIL, Urgency.ROUTINE, Instant.now()));
        awaitHandled("referral-relationships", submitted);
        Map<String, Object> late = step("Bring proof of address", COUNCIL);
        late.put("dueOn", LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
        late.put("referralId", referralId);
        String stepId = lastStepId(addStep(learnerId, COLLEGE, late));

        // The council declines the referral: it is no longer in the learner's team, and the step goes back at once.
        String rejected = referralService.publish(new ReferralRejected(referralId, learnerId, "opp-esol", COLLEGE,
                COUNCIL, ReferralStatus.REJECTED, ReferralReason.NO_CAPACITY, COUNCIL, Instant.now()));
        awaitHandled("referral-relationships", rejected);
        org.awaitility.Awaitility.await().atMost(EVENT_DEADLINE).until(() -> api().get(plan(learnerId),
                TestTokens.worker(COLLEGE)).body().path("steps").get(0).path("ownerAgencyId").asString()
                .equals(COLLEGE));
        overdueCheck.raiseOverdue();

        JsonNode overdue = events(learnerId, EventType.PLAN_STEP_OVERDUE, 1).getFirst();
        assertThat(overdue.path("stepId").asString()).isEqualTo(stepId);
        assertThat(overdue.path("ownerAgencyId").asString()).as("overdue at the registering agency, not the council")
                .isEqualTo(COLLEGE);
        assertThat(events(learnerId, EventType.PLAN_STEP_CHANGED, 1).getFirst().path("ownerAgencyId").asString())
                .isEqualTo(COLLEGE);
    }

    @Test
    void theOpenStepsOfAnOwnerWhoseConsentLapsedGoBackOnTheStandingCheckWithNoDueDateToWaitFor() {
        String learnerId = registerLearner(COLLEGE);
        // The council's consent runs out in a few seconds; no request announces that. The housing's stays.
        Map<String, Object> shortConsent = new LinkedHashMap<>(Map.of("agencyId", COUNCIL,
                "purpose", "REFERRAL_SHARING", "method", "WRITTEN"));
        shortConsent.put("expiresAt", Instant.now().plusSeconds(10).toString()); // time for the steps below
        assertThat(api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE), shortConsent)
                .status()).isEqualTo(201);
        consentTo(learnerId, COLLEGE, HOUSING, "REFERRAL_SHARING");
        String undated = lastStepId(addStep(learnerId, COLLEGE, step("Call about the housing form", COUNCIL)));
        String housings = lastStepId(addStep(learnerId, COLLEGE, step("Tenancy support first visit", HOUSING)));
        String done = lastStepId(addStep(learnerId, COLLEGE, step("Council tax form sent", COUNCIL)));
        assertThat(changeStep(learnerId, done, COUNCIL, Map.of("status", "DONE")).status()).isEqualTo(200);
        org.awaitility.Awaitility.await().atMost(EVENT_DEADLINE.plusSeconds(10))
                .until(() -> !consentsTo(learnerId, COUNCIL));

        // With no due date the overdue check never looks at the step: before the standing check, it stayed the
        // council's for ever, and the council heard of every change to it.
        overdueCheck.raiseOverdue();
        assertThat(owners(learnerId)).containsEntry(undated, COUNCIL);

        standingCheck.recheckAll();
        String after = etag(plan(learnerId), TestTokens.worker(COLLEGE));
        standingCheck.recheckAll();

        assertThat(owners(learnerId)).containsEntry(undated, COLLEGE)
                .as("an owner still holding consent keeps its step").containsEntry(housings, HOUSING)
                .as("a closed step is the council's record of what it did").containsEntry(done, COUNCIL);
        assertThat(etag(plan(learnerId), TestTokens.worker(COLLEGE))).as("a second run hands nothing back again")
                .isEqualTo(after);
        JsonNode handedBack = events(learnerId, EventType.PLAN_STEP_CHANGED, 2).stream()
                .filter(data -> data.path("stepId").asString().equals(undated)).findFirst().orElseThrow();
        assertThat(handedBack.path("ownerAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(handedBack.path("changedByAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(handedBack.path("status").asString()).isEqualTo("PLANNED");
    }

    @Test
    void theStepsOfAnAgencyAKindConsentNoLongerCoversGoBackOnTheStandingCheckEvenOnceReportedOverdue() {
        String agency = "agency-council-" + UUID.randomUUID().toString().substring(0, 8);
        awaitHandled(AgencyKinds.HANDLER, catalogue.publish(new AgencyRegistered(agency, AgencyKind.COUNCIL,
                AgencySector.PUBLIC, true, Instant.now())));
        String learnerId = registerLearner(COLLEGE);
        assertThat(api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyKind", "COUNCIL", "purpose", "REFERRAL_SHARING", "method", "WRITTEN")).status())
                .isEqualTo(201);
        Map<String, Object> late = step("Council tax reduction claim", agency);
        late.put("dueOn", LocalDate.now(ZoneOffset.UTC).minusDays(1).toString());
        String stepId = lastStepId(addStep(learnerId, COLLEGE, late));
        overdueCheck.raiseOverdue();
        assertThat(events(learnerId, EventType.PLAN_STEP_OVERDUE, 1)).singleElement().satisfies(overdue ->
                assertThat(overdue.path("ownerAgencyId").asString()).as("reported while it stood").isEqualTo(agency));

        // The catalogue now knows the agency as another kind: the consent to councils no longer covers it.
        awaitHandled(AgencyKinds.HANDLER, catalogue.publish(new AgencyUpdated(agency, AgencyKind.OTHER,
                AgencySector.PUBLIC, true, Instant.now())));
        assertThat(consentsTo(learnerId, agency)).isFalse();
        overdueCheck.raiseOverdue();
        assertThat(owners(learnerId)).as("reported overdue once, the overdue check passes it by")
                .containsEntry(stepId, agency);

        standingCheck.recheckAll();

        assertThat(owners(learnerId)).containsEntry(stepId, COLLEGE);
        JsonNode handedBack = events(learnerId, EventType.PLAN_STEP_CHANGED, 1).getFirst();
        assertThat(handedBack.path("stepId").asString()).isEqualTo(stepId);
        assertThat(handedBack.path("ownerAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(handedBack.path("changedByAgencyId").asString()).isEqualTo(COLLEGE);
    }

    @Test
    void aStepGoesOnlyToAnAgencyTheCallerSeesInTheTeamWithOneRefusalForEveryOther() {
        String clinic = "agency-clinic-" + UUID.randomUUID().toString().substring(0, 8);
        awaitHandled(AgencyKinds.HANDLER, catalogue.publish(new AgencyRegistered(clinic, AgencyKind.HEALTH,
                AgencySector.PUBLIC, true, Instant.now())));
        String learnerId = registerLearner(COLLEGE);
        consentTo(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING");
        assertThat(api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyKind", "HEALTH", "purpose", "CONTACT", "method", "WRITTEN")).status()).isEqualTo(201);
        referTo(learnerId, COLLEGE, HOUSING, "opp-tenancy-support");

        HttpApi.Response toKindCovered = addStep(learnerId, COUNCIL, step("Health check", clinic));
        HttpApi.Response toStranger = addStep(learnerId, COUNCIL, step("Health check", "agency-nowhere"));
        assertThat(toStranger.isProblem(422, "owner-not-in-team")).isTrue();
        assertThat(toKindCovered.isProblem(422, "owner-not-in-team"))
                .as("the council must not learn that the learner consented to health agencies").isTrue();
        assertThat(toKindCovered.body().path("detail").asString())
                .isEqualTo(toStranger.body().path("detail").asString());

        // The registering agency sees every consent: the clinic is in the team to it. Then it is to everyone with
        // standing, as the team view shows the clinic with the step it owns.
        assertThat(addStep(learnerId, COLLEGE, step("Health check", clinic)).status()).isEqualTo(201);
        assertThat(addStep(learnerId, COUNCIL, step("Follow-up", clinic)).status()).isEqualTo(201);

        // An agency that only reads the learner sees itself and the registering agency, no other member.
        String housingStep = lastStepId(addStep(learnerId, COLLEGE, step("Tenancy support", HOUSING)));
        HttpApi.Response toCouncil = changeStep(learnerId, housingStep, HOUSING, Map.of("ownerAgencyId", COUNCIL));
        HttpApi.Response toNowhere = changeStep(learnerId, housingStep, HOUSING,
                Map.of("ownerAgencyId", "agency-nowhere"));
        assertThat(toNowhere.isProblem(422, "owner-not-in-team")).isTrue();
        assertThat(toCouncil.isProblem(422, "owner-not-in-team"))
                .as("the housing agency must not learn who else holds the learner's consent").isTrue();
        assertThat(changeStep(learnerId, housingStep, HOUSING, Map.of("ownerAgencyId", COLLEGE)).status())
                .isEqualTo(200);
        assertThat(owners(learnerId)).containsEntry(housingStep, COLLEGE);
    }

    @Test
    void badInputIsAProblemAndWritesNothing() {
        String learnerId = registerLearner(COLLEGE);
        String stepId = lastStepId(addStep(learnerId, COLLEGE, step("Real step", COLLEGE)));
        String token = TestTokens.worker(COLLEGE);
        String steps = plan(learnerId) + "/steps";
        String etag = etag(plan(learnerId), token);

        assertThat(send("POST", steps, token, step("  ", COLLEGE), "If-Match", etag).status()).isEqualTo(400);
        assertThat(send("POST", steps, token, step("a\u0000b", COLLEGE), "If-Match", etag).status()).isEqualTo(400);
        assertThat(send("POST", steps, token, step("x".repeat(201), COLLEGE), "If-Match", etag).status())
                .isEqualTo(400);
        assertThat(send("POST", steps, token, Map.of("title", "x", "status", "FINISHED"), "If-Match", etag).status())
                .isEqualTo(400);
        assertThat(send("POST", steps, token, Map.of("title", "x", "status", 1), "If-Match", etag).status())
                .isEqualTo(400);
        assertThat(send("POST", steps, token, Map.of("title", "x", "dueOn", "2026-13-01"), "If-Match", etag)
                .status()).isEqualTo(400);
        assertThat(send("POST", steps, token, Map.of("title", "x", "ownerAgencyId", "Amina's college"),
                "If-Match", etag).status()).isEqualTo(400);
        assertThat(send("POST", steps, token, Map.of("title", "x", "surprise", true), "If-Match", etag).status())
                .isEqualTo(400);
        assertThat(send("POST", steps, token, Map.of("title", "x", "status", "DONE"), "If-Match", etag)
                .isProblem(422, "step-starts-open")).isTrue();
        assertThat(send("POST", steps, token, Map.of("title", "x", "dueOn", "1990-01-01"), "If-Match", etag)
                .isProblem(422, "due-date-out-of-range")).isTrue();
        assertThat(send("PATCH", steps + "/" + stepId, token, Map.of(), "If-Match", etag).status()).isEqualTo(400);
        assertThat(send("PATCH", steps + "/stp-unknown", token, Map.of("status", "DONE"), "If-Match", etag)
                .status()).isEqualTo(404);
        assertThat(send("POST", steps, token, "{\"title\": {\"$gt\": \"\"}}", "If-Match", etag).status())
                .isEqualTo(400);

        assertThat(etag(plan(learnerId), token)).as("nothing was written").isEqualTo(etag);
        assertThat(api().get(plan(learnerId), token).body().path("steps")).hasSize(1);
    }
}
