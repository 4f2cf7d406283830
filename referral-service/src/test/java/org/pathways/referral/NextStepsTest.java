package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.opportunity.OpportunityUpdated;
import org.pathways.events.opportunity.OpportunityWithdrawn;
import org.pathways.testing.HttpApi;
import tools.jackson.databind.JsonNode;

/** The progression chain: a completed referral suggests onward routes, and the next referral starts from it. */
class NextStepsTest extends ReferralServiceTest {

    private static String newAgency(String kind) {
        return "agency-" + kind + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String opportunity() {
        return "opp-" + UUID.randomUUID();
    }

    private static void publish(String opportunityId, String agency, Integer capacity, int taken,
                                List<String> leadsTo) {
        events.publish(new OpportunityPublished(opportunityId, agency, OpportunityKind.FORMAL_LEARNING, "E3",
                capacity, taken, Instant.now(), leadsTo));
    }

    private JsonNode suggestionsWhen(String referralId, String token, java.util.function.Predicate<JsonNode> ready) {
        return await().atMost(DEADLINE).until(() -> api().get("/api/referrals/" + referralId + "/next-steps", token),
                r -> r.status() == 200 && ready.test(r.body())).body();
    }

    private static JsonNode suggestionFor(JsonNode suggestions, String opportunityId) {
        for (JsonNode suggestion : suggestions.get("suggestions")) {
            if (suggestion.get("opportunityId").asString().equals(opportunityId)) {
                return suggestion;
            }
        }
        throw new AssertionError(opportunityId + " is not suggested: " + suggestions);
    }

    private HttpResponse<String> startNext(String referralId, String token, Map<String, Object> request,
                                           String... headers) {
        return send("POST", "/api/referrals/" + referralId + "/next-steps", token, JSON.writeValueAsString(request),
                headers);
    }

    @Test
    void aCompletedReferralSuggestsItsOnwardRoutesWithPlacesWarningsAndOpenReferrals() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        String employability = newAgency("jobs");
        String open = opportunity();
        String full = opportunity();
        String withdrawn = opportunity();
        String ended = opportunity();
        String unknown = opportunity();
        publish(open, employability, 12, 3, List.of());
        publish(full, COLLEGE, 10, 10, List.of());
        publish(withdrawn, COLLEGE, null, 0, List.of());
        events.publish(new OpportunityWithdrawn(withdrawn, COLLEGE, Instant.now()));
        publish(ended, COLLEGE, null, 0, List.of());
        events.publish(new OpportunityUpdated(ended, COLLEGE, OpportunityKind.FORMAL_LEARNING, "E3", null, 0,
                "ENDED", Instant.now(), List.of()));
        // The learner is already referred (by the council) to the full course.
        JsonNode alreadyOpen = submitted(new Scenario(s.learnerId(), full, s.consentId(), COLLEGE));

        String referralId = completed(submitted(s), COLLEGE).get("id").asString();
        // Completed before its opportunity had onward routes: nothing to suggest yet.
        JsonNode none = suggestionsWhen(referralId, worker(COUNCIL), body -> true);
        assertThat(none.get("suggestions")).isEmpty();
        assertThat(none.get("excluded")).isEmpty();

        // The catalogue adds routes: OpportunityUpdated always carries the full current list.
        events.publish(new OpportunityUpdated(s.opportunityId(), COLLEGE, OpportunityKind.FORMAL_LEARNING, "E2",
                20, 1, "PUBLISHED", Instant.now(), List.of(open, full, withdrawn, ended, unknown)));
        JsonNode next = suggestionsWhen(referralId, worker(COUNCIL),
                body -> body.get("suggestions").size() == 2 && body.get("excluded").size() == 3);
        assertThat(next.get("referralId").asString()).isEqualTo(referralId);
        assertThat(next.get("opportunityId").asString()).isEqualTo(s.opportunityId());

        JsonNode onward = suggestionFor(next, open);
        assertThat(onward.get("providerAgencyId").asString()).isEqualTo(employability);
        assertThat(onward.get("status").asString()).isEqualTo("PUBLISHED");
        assertThat(onward.get("placesLeft").asInt()).isEqualTo(9);
        assertThat(onward.has("warning")).isFalse();
        assertThat(onward.get("consentInPlace").asBoolean()).isFalse();
        assertThat(onward.get("alreadyReferred").asBoolean()).isFalse();

        JsonNode waitlist = suggestionFor(next, full);
        assertThat(waitlist.get("warning").asString()).isEqualTo("waitlist");
        assertThat(waitlist.get("placesLeft").asInt()).isZero();
        assertThat(waitlist.get("consentInPlace").asBoolean()).isTrue();
        assertThat(waitlist.get("alreadyReferred").asBoolean()).isTrue();
        assertThat(waitlist.get("openReferralId").asString()).isEqualTo(alreadyOpen.get("id").asString());

        assertThat(next.get("excluded").toString())
                .contains("{\"opportunityId\":\"" + withdrawn + "\",\"reason\":\"WITHDRAWN\"}")
                .contains("{\"opportunityId\":\"" + ended + "\",\"reason\":\"ENDED\"}")
                .contains("{\"opportunityId\":\"" + unknown + "\",\"reason\":\"UNKNOWN\"}");

        // The receiving agency sees the same suggestions; another agency cannot tell the referral exists.
        assertThat(api().get("/api/referrals/" + referralId + "/next-steps", worker(COLLEGE)).status())
                .isEqualTo(200);
        assertThat(api().get("/api/referrals/" + referralId + "/next-steps", worker(JOBCENTRE))
                .isProblem(404, "not-found")).isTrue();
        // An open referral has no next steps yet.
        assertThat(api().get("/api/referrals/" + alreadyOpen.get("id").asString() + "/next-steps",
                worker(COUNCIL)).isProblem(409, "not-completed")).isTrue();
    }

    @Test
    void anAgencyWhoseConsentEndedAfterTheReferralCompletedIsNotToldWhereElseTheLearnerConsentsOrIsReferred() {
        // Party to the completed referral, the college could otherwise ask, long after its grounds ended, whether the
        // learner consents to share with each onward agency and whether they are referred there already.
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        String onward = opportunity();
        String jobs = newAgency("jobs");
        publish(onward, jobs, 10, 0, List.of());
        String referralId = completed(submitted(s), COLLEGE).get("id").asString();
        events.publish(new OpportunityUpdated(s.opportunityId(), COLLEGE, OpportunityKind.FORMAL_LEARNING, "E2",
                20, 1, "PUBLISHED", Instant.now(), List.of(onward)));
        suggestionsWhen(referralId, worker(COLLEGE), next -> next.get("suggestions").size() == 1);

        events.publish(new ConsentWithdrawn(s.learnerId(), s.consentId(), COLLEGE, ConsentPurpose.REFERRAL_SHARING,
                Instant.now()));
        learnerEventsHandled(s.learnerId());

        HttpApi.Response refused = api().get("/api/referrals/" + referralId + "/next-steps", worker(COLLEGE));
        assertThat(refused.isProblem(403, "no-standing")).as(refused.toString()).isTrue();
        assertThat(refused.body().toString()).doesNotContain(onward);
        assertThat(api().get("/api/referrals/" + referralId + "/next-steps", worker(COUNCIL)).status())
                .as("the council registered the learner").isEqualTo(200);

        // The council sends them on; the college, asking to start one too, is not told where they went.
        grantConsent(s.learnerId(), "cns-" + UUID.randomUUID(), jobs);
        HttpResponse<String> sentOn = await().atMost(DEADLINE).until(() -> startNext(referralId, worker(COUNCIL),
                Map.of("opportunityId", onward)), r -> r.statusCode() != 422);
        assertThat(sentOn.statusCode()).as(sentOn.body()).isEqualTo(201);
        String nextId = JSON.readTree(sentOn.body()).get("id").asString();
        HttpResponse<String> asked = startNext(referralId, worker(COLLEGE), Map.of("opportunityId", onward));
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(403);
        assertThat(asked.body()).contains("no-standing").doesNotContain(nextId);
    }

    @Test
    void theNextReferralStartsFromTheCompletedOneUnderEverySubmissionRuleAndJoinsTheChain() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        String employability = newAgency("jobs");
        String onward = opportunity();
        String withdrawn = opportunity();
        String taken = opportunity();
        publish(onward, employability, 12, 0, List.of());
        publish(withdrawn, employability, 12, 0, List.of());
        events.publish(new OpportunityWithdrawn(withdrawn, employability, Instant.now()));
        publish(taken, COLLEGE, 12, 0, List.of());
        publish(s.opportunityId(), COLLEGE, 20, 0, List.of(onward, withdrawn, taken));
        JsonNode openElsewhere = submitted(new Scenario(s.learnerId(), taken, s.consentId(), COLLEGE));
        JsonNode submittedFirst = submitted(s);
        String firstId = submittedFirst.get("id").asString();

        // Not completed yet: no next step.
        HttpResponse<String> early = startNext(firstId, worker(COLLEGE), Map.of("opportunityId", onward));
        assertThat(early.statusCode()).isEqualTo(409);
        assertThat(early.body()).contains("not-completed");
        completed(submittedFirst, COLLEGE);
        await().atMost(DEADLINE).until(() -> readModelsKnow(onward) && readModelsKnow(withdrawn));

        // Every submission rule holds: a withdrawn opportunity, a duplicate open referral, no consent yet.
        HttpResponse<String> notOpen = startNext(firstId, worker(COLLEGE), Map.of("opportunityId", withdrawn));
        assertThat(notOpen.statusCode()).as(notOpen.body()).isEqualTo(422);
        assertThat(notOpen.body()).contains("opportunity-not-open");
        HttpResponse<String> duplicate = startNext(firstId, worker(COUNCIL), Map.of("opportunityId", taken));
        assertThat(duplicate.statusCode()).as(duplicate.body()).isEqualTo(409);
        assertThat(duplicate.body()).contains("open-referral-exists")
                .contains(openElsewhere.get("id").asString());
        HttpResponse<String> noConsent = startNext(firstId, worker(COLLEGE), Map.of("opportunityId", onward));
        assertThat(noConsent.statusCode()).as(noConsent.body()).isEqualTo(422);
        assertThat(noConsent.body()).contains("consent-required");
        assertThat(api().get("/api/referrals/" + firstId, worker(COUNCIL)).body().has("nextReferralId")).isFalse();

        // With consent, the college that completed the course refers on: the learner and need are carried over.
        grantConsent(s.learnerId(), "cns-" + UUID.randomUUID(), employability);
        String key = "next-" + UUID.randomUUID();
        HttpResponse<String> started = await().atMost(DEADLINE).until(() -> startNext(firstId, worker(COLLEGE),
                Map.of("opportunityId", onward, "urgency", "SOON"), "Idempotency-Key", key),
                r -> r.statusCode() != 422);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        JsonNode next = JSON.readTree(started.body());
        String nextId = next.get("id").asString();
        assertThat(started.headers().firstValue("Location")).hasValue("/api/referrals/" + nextId);
        assertThat(started.headers().firstValue("ETag")).hasValue("\"0\"");
        assertThat(next.get("previousReferralId").asString()).isEqualTo(firstId);
        assertThat(next.get("learnerId").asString()).isEqualTo(s.learnerId());
        assertThat(next.get("need").asString()).contains("spoken English");
        assertThat(next.get("urgency").asString()).isEqualTo("SOON");
        assertThat(next.get("referringAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(next.get("receivingAgencyId").asString()).isEqualTo(employability);
        assertThat(next.get("status").asString()).isEqualTo("SUBMITTED");

        // A retry with the same key answers the same referral; the first one links to it.
        HttpResponse<String> retried = startNext(firstId, worker(COLLEGE),
                Map.of("opportunityId", onward, "urgency", "SOON"), "Idempotency-Key", key);
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(retried.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(JSON.readTree(retried.body()).get("id").asString()).isEqualTo(nextId);
        assertThat(api().get("/api/referrals/" + firstId, worker(COLLEGE)).text("nextReferralId"))
                .isEqualTo(nextId);
        // The council, party to the first referral only, is not told where the college sent them next.
        assertThat(api().get("/api/referrals/" + firstId, worker(COUNCIL)).body().has("nextReferralId")).isFalse();
        JsonNode submittedEvent = eventsOf(nextId, "submitted", 1).getFirst().get("data");
        assertThat(submittedEvent.get("previousReferralId").asString()).isEqualTo(firstId);
        assertThat(typesSoFar(nextId, COLLEGE)).containsExactly("submitted");

        // Had the first request stopped after writing the next referral and before linking it, the same request sent
        // again links it: the chain shows the step, and no second next step can be started beside it.
        store.updateFirst(org.springframework.data.mongodb.core.query.Query.query(
                        org.springframework.data.mongodb.core.query.Criteria.where("_id").is(firstId)),
                new org.springframework.data.mongodb.core.query.Update().unset("nextReferralId"), "referrals");
        assertThat(api().get("/api/referrals/" + firstId, worker(COUNCIL)).body().has("nextReferralId")).isFalse();
        HttpResponse<String> afterAStop = startNext(firstId, worker(COLLEGE),
                Map.of("opportunityId", onward, "urgency", "SOON"), "Idempotency-Key", key);
        assertThat(afterAStop.statusCode()).as(afterAStop.body()).isEqualTo(200);
        assertThat(JSON.readTree(afterAStop.body()).get("id").asString()).isEqualTo(nextId);
        assertThat(api().get("/api/referrals/" + firstId, worker(COLLEGE)).text("nextReferralId"))
                .isEqualTo(nextId);

        // One next step at a time.
        HttpResponse<String> second = startNext(firstId, worker(COUNCIL), Map.of("opportunityId", taken));
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(second.body()).contains("next-step-exists").contains(nextId);

        // The chain is the person's journey across agencies: the college, party to both, sees both; a coordinator
        // every link; the new agency only its own (the council's referral to the college is not its business).
        for (String reader : List.of(worker(COLLEGE), coordinator())) {
            JsonNode chain = api().get("/api/referrals/" + nextId + "/chain", reader).body();
            assertThat(chain).hasSize(2);
            assertThat(chain.get(0).get("id").asString()).isEqualTo(firstId);
            assertThat(chain.get(0).get("status").asString()).isEqualTo("COMPLETED");
            assertThat(chain.get(1).get("id").asString()).isEqualTo(nextId);
            assertThat(chain.get(1).get("receivingAgencyId").asString()).isEqualTo(employability);
        }
        JsonNode ownLinkOnly = api().get("/api/referrals/" + nextId + "/chain", worker(employability)).body();
        assertThat(ownLinkOnly).hasSize(1);
        assertThat(ownLinkOnly.get(0).get("id").asString()).isEqualTo(nextId);
        assertThat(api().get("/api/referrals/" + firstId + "/chain", worker(COUNCIL)).body()).as("the council's view")
                .extracting(link -> link.get("id").asString()).containsExactly(firstId);

        // Rejected by the new agency, another next step may start, and the chain follows it.
        step(worker(employability), api().get("/api/referrals/" + nextId, worker(employability)).body(), "REJECT",
                "NO_CAPACITY");
        HttpResponse<String> again = startNext(firstId, worker(COUNCIL), Map.of("opportunityId", onward,
                "need", "Employability course, next intake"));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
        String againId = JSON.readTree(again.body()).get("id").asString();
        assertThat(JSON.readTree(again.body()).get("need").asString()).isEqualTo("Employability course, next intake");
        assertThat(api().get("/api/referrals/" + firstId, worker(COUNCIL)).text("nextReferralId"))
                .as("the council, party to the new next step").isEqualTo(againId);
    }

    @Test
    void aNextStepOffTheCatalogueRoutesIsAllowedWithAWarningAndHostileInputIsRefused() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        String elsewhere = opportunity();
        publish(elsewhere, COLLEGE, 10, 10, List.of());
        String firstId = completed(submitted(s), COLLEGE).get("id").asString();
        await().atMost(DEADLINE).until(() -> readModelsKnow(elsewhere));
        String path = "/api/referrals/" + firstId + "/next-steps";

        for (String hostile : List.of("{\"opportunityId\":{\"$gt\":\"\"}}", "{\"opportunityId\":\"a b\"}",
                "{\"opportunityId\":\"" + elsewhere + "\",\"learnerId\":\"lrn-other\"}",
                "{\"opportunityId\":\"" + elsewhere + "\",\"urgency\":\"WHENEVER\"}",
                "{\"opportunityId\":\"" + elsewhere + "\",\"need\":\"\"}", "[]")) {
            HttpApi.Response refused = api().post(path, worker(COUNCIL), hostile);
            assertThat(refused.status()).as(hostile).isEqualTo(400);
            assertThat(refused.contentType()).startsWith("application/problem+json");
        }
        assertThat(api().post(path, coordinator(), Map.of("opportunityId", elsewhere)).status()).isEqualTo(404);
        assertThat(api().post(path, null, Map.of("opportunityId", elsewhere)).status()).isEqualTo(401);

        HttpApi.Response offRoute = api().post(path, worker(COUNCIL), Map.of("opportunityId", elsewhere));
        assertThat(offRoute.status()).as(offRoute.toString()).isEqualTo(201);
        assertThat(offRoute.body().get("warnings").toString()).contains("off-route").contains("opportunity-full");
    }

    @Test
    void twoNextStepsRacingFromOneCompletedReferralLeaveOneLinkedAndNoOrphanOpen() throws Exception {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        String maths = opportunity();
        String digital = opportunity();
        publish(maths, COLLEGE, 12, 0, List.of());
        publish(digital, COLLEGE, 12, 0, List.of());
        publish(s.opportunityId(), COLLEGE, 20, 0, List.of(maths, digital));
        String firstId = completed(submitted(s), COLLEGE).get("id").asString();
        suggestionsWhen(firstId, worker(COUNCIL), body -> body.get("suggestions").size() == 2);

        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<java.util.concurrent.Future<HttpResponse<String>>> racing = pool.invokeAll(List.of(
                () -> startNext(firstId, worker(COUNCIL), Map.of("opportunityId", maths)),
                () -> startNext(firstId, worker(COLLEGE), Map.of("opportunityId", digital))));
        pool.shutdown();
        List<Integer> statuses = new java.util.ArrayList<>();
        String winner = null;
        for (var answer : racing) {
            statuses.add(answer.get().statusCode());
            if (answer.get().statusCode() == 201) {
                winner = JSON.readTree(answer.get().body()).get("id").asString();
            }
        }
        assertThat(statuses).containsExactlyInAnyOrder(201, 409);
        assertThat(api().get("/api/referrals/" + firstId, worker(COLLEGE)).text("nextReferralId")).isEqualTo(winner);
        // The loser left no open referral behind (if it got as far as writing one, it was cancelled again).
        JsonNode after = api().get("/api/referrals/" + firstId + "/next-steps", worker(COUNCIL)).body();
        long open = 0;
        for (JsonNode suggestion : after.get("suggestions")) {
            open += suggestion.get("alreadyReferred").asBoolean() ? 1 : 0;
        }
        assertThat(open).isEqualTo(1);
    }

    private boolean readModelsKnow(String opportunityId) {
        return store.findById(opportunityId, org.pathways.referral.readmodel.OpportunityView.class) != null;
    }
}
