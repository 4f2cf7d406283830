package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pathways.notification.LearnerEvents.learnerEvent;
import static org.pathways.notification.LearnerEvents.now;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.testing.WebhookReceiver;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.databind.JsonNode;

/**
 * The team around a learner hears of its lead and plan (issue 19): the agencies each event concerns get it in their
 * feed and on their webhooks, people are told in the app and by e-mail in their language, and no other agency hears
 * anything.
 */
class TeamNotificationTest extends NotificationServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String LEAD_ASSIGNED = "org.pathways.learner.lead-assigned.v1";
    private static final String LEAD_HANDED_OVER = "org.pathways.learner.lead-handed-over.v1";
    private static final String STEP_ADDED = "org.pathways.learner.plan-step-added.v1";
    private static final String STEP_CHANGED = "org.pathways.learner.plan-step-changed.v1";
    private static final String STEP_OVERDUE = "org.pathways.learner.plan-step-overdue.v1";

    @Test
    void theLeadsAgencyAndTheStepOwnerHearOfTheTeamsChangesAndNoOtherAgencyDoes() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String college = AgencyFeedTest.agency("college");
        String council = AgencyFeedTest.agency("council");
        String outsider = AgencyFeedTest.agency("housing");
        String ana = address("ana");
        String contact = address("council-team");
        putPreferences("ana", college, ana, "cy", "LEAD_CHANGED");
        putAgencyContact(council, contact);
        try (WebhookReceiver collegeHook = new WebhookReceiver(); WebhookReceiver councilHook = new WebhookReceiver();
             WebhookReceiver outsiderHook = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            String[] types = {LEAD_ASSIGNED, STEP_ADDED, STEP_OVERDUE};
            subscribe(college, collegeHook.url(), types);
            subscribe(council, councilHook.url(), types);
            subscribe(outsider, outsiderHook.url(), types);

            // The college's worker ana becomes the lead.
            OutboxEntry assigned = learnerEvent(LEAD_ASSIGNED, learner, Map.of("agencyId", college,
                    "workerId", "ana", "assignedByAgencyId", college, "assignedAt", now()));
            events.publish(assigned);

            await().atMost(PATIENCE).until(() -> collegeHook.count() == 1);
            assertThat(collegeHook.received().getFirst().header("webhook-id")).isEqualTo(assigned.eventId());
            JsonNode leadNotice = awaitNotice(college, "LEAD_CHANGED");
            assertThat(leadNotice.get("learnerId").asString()).isEqualTo(learner);
            assertThat(leadNotice.get("link").asString())
                    .isEqualTo("https://pathways.example/learners/" + learner + "#team");
            MimeMessage welsh = awaitMailTo(ana);
            assertThat(welsh.getSubject()).isEqualTo("Pathways: mae gweithiwr arweiniol dysgwr wedi newid");
            assertThat(welsh.getContent().toString()).contains("https://pathways.example/notifications")
                    .as("no learner id in an e-mail").doesNotContain(learner);

            // The lead adds a step owned by the council, following a referral from the council to housing.
            String referral = "ref-" + UUID.randomUUID();
            String step = "stp-" + UUID.randomUUID();
            OutboxEntry added = learnerEvent(STEP_ADDED, learner, Map.of("stepId", step, "ownerAgencyId", council,
                    "status", "PLANNED", "dueOn", "2026-12-20", "referralId", referral,
                    "addedByAgencyId", college, "addedAt", now()));
            events.publish(added);

            await().atMost(PATIENCE).until(() -> councilHook.count() == 1 && collegeHook.count() == 2);
            assertThat(councilHook.received().getFirst().header("webhook-id")).isEqualTo(added.eventId());
            assertThat(awaitNotice(council, "PLAN_STEP_ASSIGNED").get("learnerId").asString()).isEqualTo(learner);
            MimeMessage toCouncil = awaitMailTo(contact);
            assertThat(toCouncil.getSubject()).isEqualTo("Pathways: a step in a learner's plan is now yours");
            assertThat(toCouncil.getContent().toString()).doesNotContain(learner).contains(council);
            assertThat(kinds(college)).as("the lead added it: no one there needs telling")
                    .containsExactly("LEAD_CHANGED");

            // The referral the step follows is accepted by housing: the owner and the lead's agency hear of it.
            OutboxEntry accepted = ReferralEvents.event("org.pathways.referral.accepted.v1", referral,
                    Map.of("referralId", referral, "learnerId", learner, "referringAgencyId", council,
                            "receivingAgencyId", outsider, "status", "ACCEPTED", "actingAgencyId", outsider,
                            "at", now()));
            events.publish(accepted);
            await().atMost(PATIENCE).until(() -> handled(accepted.eventId()));
            assertThat(kinds(council)).containsExactlyInAnyOrder("PLAN_STEP_ASSIGNED", "PLAN_REFERRAL_CHANGED");
            assertThat(kinds(college)).containsExactlyInAnyOrder("LEAD_CHANGED", "PLAN_REFERRAL_CHANGED");
            assertThat(kinds(outsider)).as("housing accepted it itself").isEmpty();
            assertThat(feedEventIds(college)).as("the referral event itself stays with the referral's agencies")
                    .doesNotContain(accepted.eventId());

            // The step is overdue: the owner is told; the lead's agency gets the event.
            OutboxEntry overdue = learnerEvent(STEP_OVERDUE, learner, Map.of("stepId", step,
                    "ownerAgencyId", council, "dueOn", "2026-12-20", "detectedAt", now()));
            events.publish(overdue);
            await().atMost(PATIENCE).until(() -> councilHook.count() == 2 && collegeHook.count() == 3);
            await().atMost(PATIENCE).until(() -> handled(overdue.eventId()));
            assertThat(kinds(council)).contains("PLAN_STEP_OVERDUE");
            assertThat(kinds(college)).doesNotContain("PLAN_STEP_OVERDUE");

            // None of it reached the agency outside the team; the same partition's later events prove it routed.
            assertThat(deliveriesOf(outsider, assigned.eventId())).isEmpty();
            assertThat(deliveriesOf(outsider, added.eventId())).isEmpty();
            assertThat(deliveriesOf(outsider, overdue.eventId())).isEmpty();
            assertThat(outsiderHook.count()).isZero();
            assertThat(feedEventIds(outsider)).containsExactly(accepted.eventId());
            assertThat(feedEventIds(council)).containsExactly(added.eventId(), accepted.eventId(),
                    overdue.eventId());
            assertThat(feedEventIds(college)).containsExactly(assigned.eventId(), added.eventId(),
                    overdue.eventId());
        }
    }

    @Test
    void aStepFollowingAnotherPersonsReferralIsNotToldOfItButOneFollowingAMergedRecordsReferralIs() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String stranger = "lrn-" + UUID.randomUUID();
        String merged = "lrn-" + UUID.randomUUID();
        String college = AgencyFeedTest.agency("college");
        String council = AgencyFeedTest.agency("council");
        String housing = AgencyFeedTest.agency("housing");
        String jobcentre = AgencyFeedTest.agency("jobcentre");
        try (ReferralEvents events = new ReferralEvents()) {
            events.publish(learnerEvent(LEAD_ASSIGNED, learner, Map.of("agencyId", college, "workerId", "ana",
                    "assignedByAgencyId", college, "assignedAt", now())));
            String strangersReferral = "ref-" + UUID.randomUUID();
            String mergedReferral = "ref-" + UUID.randomUUID();
            // The stranger's own plan follows the stranger's referral, with a step housing owns.
            OutboxEntry strangersStep = learnerEvent(STEP_ADDED, stranger, Map.of("stepId", "stp-" + UUID.randomUUID(),
                    "ownerAgencyId", housing, "status", "PLANNED", "dueOn", "2026-12-20",
                    "referralId", strangersReferral, "addedByAgencyId", housing, "addedAt", now()));
            events.publish(strangersStep);
            await().atMost(PATIENCE).until(() -> handled(strangersStep.eventId()));
            // Steps as this learner's plan could have them before the profile checked a step's referral is the
            // learner's own, added after the stranger's: one follows the stranger's referral, one a referral of a
            // record later merged into this learner.
            for (String referral : List.of(strangersReferral, mergedReferral)) {
                events.publish(learnerEvent(STEP_ADDED, learner, Map.of("stepId", "stp-" + UUID.randomUUID(),
                        "ownerAgencyId", council, "status", "PLANNED", "dueOn", "2026-12-20", "referralId", referral,
                        "addedByAgencyId", college, "addedAt", now())));
            }
            OutboxEntry mergedAway = ReferralEvents.merged(merged, learner);
            events.publish(mergedAway);
            await().atMost(PATIENCE).until(() -> handled(mergedAway.eventId()));
            await().atMost(PATIENCE).until(() -> kinds(council).size() == 2);
            assertThat(kinds(council)).containsExactly("PLAN_STEP_ASSIGNED", "PLAN_STEP_ASSIGNED");

            OutboxEntry strangersAccepted = ReferralEvents.event("org.pathways.referral.accepted.v1",
                    strangersReferral, Map.of("referralId", strangersReferral, "learnerId", stranger,
                            "referringAgencyId", housing, "receivingAgencyId", jobcentre, "status", "ACCEPTED",
                            "actingAgencyId", jobcentre, "at", now()));
            events.publish(strangersAccepted);
            await().atMost(PATIENCE).until(() -> handled(strangersAccepted.eventId()));
            assertThat(kinds(housing)).as("the stranger's own step's owner hears of it")
                    .contains("PLAN_REFERRAL_CHANGED");
            assertThat(kinds(council)).as("the stranger's referral is not this learner's plan's business")
                    .doesNotContain("PLAN_REFERRAL_CHANGED");
            assertThat(kinds(college)).as("nor this learner's lead's").doesNotContain("PLAN_REFERRAL_CHANGED");

            OutboxEntry mergedAccepted = ReferralEvents.event("org.pathways.referral.accepted.v1", mergedReferral,
                    Map.of("referralId", mergedReferral, "learnerId", merged, "referringAgencyId", council,
                            "receivingAgencyId", jobcentre, "status", "ACCEPTED", "actingAgencyId", jobcentre,
                            "at", now()));
            events.publish(mergedAccepted);
            await().atMost(PATIENCE).until(() -> handled(mergedAccepted.eventId()));
            assertThat(kinds(council)).as("the merged record's referral is this learner's")
                    .containsExactlyInAnyOrder("PLAN_STEP_ASSIGNED", "PLAN_STEP_ASSIGNED", "PLAN_REFERRAL_CHANGED");
            assertThat(kinds(college)).contains("PLAN_REFERRAL_CHANGED");
        }
    }

    @Test
    void theOwnerOfAClosedStepHearsNoMoreOfTheReferralItFollowedWhileOwnersOfOpenStepsAndTheLeadDo()
            throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String college = AgencyFeedTest.agency("college");
        String council = AgencyFeedTest.agency("council");
        String library = AgencyFeedTest.agency("library");
        String jobcentre = AgencyFeedTest.agency("jobcentre");
        String housing = AgencyFeedTest.agency("housing");
        String contact = address("council-team");
        putAgencyContact(council, contact);
        String referral = "ref-" + UUID.randomUUID();
        try (ReferralEvents events = new ReferralEvents()) {
            events.publish(learnerEvent(LEAD_ASSIGNED, learner, Map.of("agencyId", college, "workerId", "ana",
                    "assignedByAgencyId", college, "assignedAt", now())));
            // Three steps follow the referral: the council's and the library's, which their owners then close (done,
            // dropped), and the jobcentre's, still open.
            Map<String, String> closedBy = Map.of(council, "DONE", library, "DROPPED");
            OutboxEntry last = null;
            for (String owner : List.of(council, library, jobcentre)) {
                String step = "stp-" + UUID.randomUUID();
                events.publish(learnerEvent(STEP_ADDED, learner, Map.of("stepId", step, "ownerAgencyId", owner,
                        "status", "PLANNED", "referralId", referral, "addedByAgencyId", college, "addedAt", now())));
                if (closedBy.containsKey(owner)) {
                    last = learnerEvent(STEP_CHANGED, learner, Map.of("stepId", step, "ownerAgencyId", owner,
                            "status", closedBy.get(owner), "previousStatus", "PLANNED", "changedByAgencyId", owner,
                            "changedAt", now()));
                    events.publish(last);
                }
            }
            OutboxEntry closedLast = last;
            await().atMost(PATIENCE).until(() -> handled(closedLast.eventId()));
            await().atMost(PATIENCE).until(() -> kinds(jobcentre).size() == 1);

            // The council closed its step and has since lost the learner's consent (the learner-profile-service hands
            // back open steps only): it is not told of the referral's later changes, in the app or by e-mail.
            for (String type : List.of("accepted", "completed")) {
                OutboxEntry changed = ReferralEvents.event("org.pathways.referral." + type + ".v1", referral,
                        Map.of("referralId", referral, "learnerId", learner, "referringAgencyId", college,
                                "receivingAgencyId", housing, "status", type.toUpperCase(),
                                "actingAgencyId", housing, "at", now()));
                events.publish(changed);
                await().atMost(PATIENCE).until(() -> handled(changed.eventId()));
                assertThat(mongo.count(Query.query(Criteria.where("eventId").is(changed.eventId())
                        .and("agencyId").in(council, library)), "emails")).as("no e-mail queued").isZero();
            }
            assertThat(kinds(council)).as("the step given to it, nothing since").containsExactly("PLAN_STEP_ASSIGNED");
            assertThat(kinds(library)).containsExactly("PLAN_STEP_ASSIGNED");
            assertThat(kinds(jobcentre)).as("its step is open").containsExactlyInAnyOrder("PLAN_STEP_ASSIGNED",
                    "PLAN_REFERRAL_CHANGED", "PLAN_REFERRAL_CHANGED");
            assertThat(kinds(college)).as("the lead's agency").containsExactlyInAnyOrder("LEAD_CHANGED",
                    "PLAN_REFERRAL_CHANGED", "PLAN_REFERRAL_CHANGED");
        }
    }

    @Test
    void aHandoverTellsBothSidesAndThePlanThenFollowsTheNewLeadsAgency() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String college = AgencyFeedTest.agency("college");
        String council = AgencyFeedTest.agency("council");
        String jobcentre = AgencyFeedTest.agency("jobcentre");
        try (ReferralEvents events = new ReferralEvents()) {
            OutboxEntry assigned = learnerEvent(LEAD_ASSIGNED, learner, Map.of("agencyId", college,
                    "workerId", "ana", "assignedByAgencyId", college, "assignedAt", now()));
            OutboxEntry handedOver = learnerEvent(LEAD_HANDED_OVER, learner, Map.of("fromAgencyId", college,
                    "fromWorkerId", "ana", "toAgencyId", council, "toWorkerId", "bob", "handedOverAt", now()));
            // The jobcentre, owner of a step, marks it DOING: it goes to the lead's agency now (the council).
            String step = "stp-" + UUID.randomUUID();
            OutboxEntry added = learnerEvent(STEP_ADDED, learner, Map.of("stepId", step,
                    "ownerAgencyId", jobcentre, "status", "PLANNED", "addedByAgencyId", jobcentre,
                    "addedAt", now()));
            Map<String, Object> change = new HashMap<>(Map.of("stepId", step, "ownerAgencyId", jobcentre,
                    "status", "DOING", "previousStatus", "PLANNED", "changedByAgencyId", jobcentre,
                    "changedAt", now()));
            OutboxEntry changed = learnerEvent(STEP_CHANGED, learner, change);
            for (OutboxEntry event : List.of(assigned, handedOver, added, changed)) {
                events.publish(event);
            }

            await().atMost(PATIENCE).until(() -> handled(changed.eventId()));
            assertThat(feedEventIds(college)).containsExactly(assigned.eventId(), handedOver.eventId());
            assertThat(feedEventIds(council)).containsExactly(handedOver.eventId(), added.eventId(),
                    changed.eventId());
            assertThat(kinds(college)).containsExactlyInAnyOrder("LEAD_CHANGED", "LEAD_CHANGED");
            assertThat(kinds(council)).containsExactly("LEAD_CHANGED");
            assertThat(kinds(jobcentre)).as("it added and changed its own step").isEmpty();
        }
    }

    @Test
    void anErasedLearnersTeamNoticesKeepNoTraceOfTheirId() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String college = AgencyFeedTest.agency("college");
        try (ReferralEvents events = new ReferralEvents()) {
            events.publish(learnerEvent(LEAD_ASSIGNED, learner, Map.of("agencyId", college, "workerId", "ana",
                    "assignedByAgencyId", college, "assignedAt", now())));
            awaitNotice(college, "LEAD_CHANGED");
            OutboxEntry erased = learnerEvent("org.pathways.learner.erased.v1", learner,
                    Map.of("erasedAt", now()));
            events.publish(erased);
            await().atMost(PATIENCE).until(() -> handled(erased.eventId()));

            JsonNode notice = awaitNotice(college, "LEAD_CHANGED");
            assertThat(notice.get("learnerId").asString()).isEqualTo("erased");
            assertThat(notice.get("link").asString()).doesNotContain(learner);
            assertThat(mongo.count(Query.query(Criteria.where("_id").is(learner)), "learner_leads")).isZero();
        }
    }

    private JsonNode awaitNotice(String agency, String kind) {
        return await().atMost(PATIENCE).until(() -> notices(agency).stream()
                .filter(n -> n.get("kind").asString().equals(kind)).findFirst(), java.util.Optional::isPresent)
                .orElseThrow();
    }

    private List<JsonNode> notices(String agency) throws Exception {
        return json(call("GET", "/api/notifications?limit=200", worker("someone", agency), null))
                .get("notifications").valueStream().toList();
    }

    private List<String> kinds(String agency) throws Exception {
        return notices(agency).stream().map(n -> n.get("kind").asString()).toList();
    }

    private List<String> feedEventIds(String agency) throws Exception {
        return json(call("GET", "/api/feed", system(agency), null)).get("events").valueStream()
                .map(e -> e.get("event").get("id").asString()).toList();
    }

    private void putPreferences(String user, String agency, String email, String language, String... notices)
            throws Exception {
        HttpResponse<String> put = call("PUT", "/api/notifications/preferences/me", worker(user, agency),
                JSON.writeValueAsString(Map.of("email", email, "language", language, "notices", List.of(notices))));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    private void putAgencyContact(String agency, String address) throws Exception {
        HttpResponse<String> put = call("PUT", "/api/agency-settings", admin(agency),
                JSON.writeValueAsString(Map.of("notificationEmail", address, "language", "en")));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }
}
