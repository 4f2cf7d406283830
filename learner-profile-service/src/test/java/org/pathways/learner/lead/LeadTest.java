package org.pathways.learner.lead;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
import org.pathways.events.catalogue.EventType;
import org.pathways.events.Topic;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.platform.security.Role;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.pathways.testing.RecordedTopic;
import tools.jackson.databind.JsonNode;

/** The lead worker: only a worker of an agency with standing, handed over only when the new lead accepts. */
class LeadTest extends LearnerProfileServiceTest {

    @RegisterExtension
    static final RecordedTopic learnerTopic = new RecordedTopic(Topic.LEARNERS.topicName());
    private static EventProducer referralService;
    private static EventProducer catalogue;

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

    private static String worker(String subject, String agency) {
        return TestTokens.token(subject, agency, Role.WORKER);
    }

    private HttpApi.Response assign(String learnerId, String token, String workerId) {
        return send("PUT", "/api/learners/" + learnerId + "/lead", token, Map.of("workerId", workerId));
    }

    private JsonNode lead(String learnerId, String agency) {
        HttpApi.Response response = api().get("/api/learners/" + learnerId + "/lead", TestTokens.worker(agency));
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }

    private List<JsonNode> events(String learnerId, EventType type, int atLeast) {
        return learnerTopic.await(r -> isOfType(r, learnerId, type.type()), atLeast, EVENT_DEADLINE).stream()
                .map(LearnerProfileServiceTest::cloudEvent).map(event -> event.path("data")).toList();
    }

    /** Opens a referral of the learner to {@code receiving}: it reads the learner, with no standing. */
    private void referTo(String learnerId, String from, String receiving) {
        String eventId = referralService.publish(new ReferralSubmitted("ref-" + UUID.randomUUID(), learnerId,
                "opp-esol", from, receiving, Urgency.ROUTINE, Instant.now()));
        awaitHandled("referral-relationships", eventId);
    }

    @Test
    void theLeadCanOnlyBeAWorkerOfAnAgencyWithStanding() {
        String learnerId = registerLearner(COLLEGE);
        referTo(learnerId, COLLEGE, HOUSING);

        assertThat(assign(learnerId, worker("council-sam", COUNCIL), "council-sam").status())
                .as("an agency that cannot see the learner").isEqualTo(404);
        assertThat(assign(learnerId, worker("housing-kim", HOUSING), "housing-kim")
                .isProblem(403, "read-only-access"))
                .as("a referral's receiver reads the learner but has no standing").isTrue();
        assertThat(api().get("/api/learners/" + learnerId + "/lead", TestTokens.worker(HOUSING)).status())
                .as("nor does it see the lead").isEqualTo(404);
        assertThat(assign(learnerId, TestTokens.token("college-system", COLLEGE, Role.AGENCY_SYSTEM), "x")
                .status()).as("a system is not a worker").isEqualTo(403);

        HttpApi.Response assigned = assign(learnerId, worker("college-ana", COLLEGE), "college-ana");
        assertThat(assigned.status()).isEqualTo(200);
        assertThat(assigned.body().path("lead").path("agencyId").asString()).isEqualTo(COLLEGE);
        assertThat(assigned.body().path("lead").path("workerId").asString()).isEqualTo("college-ana");

        assertThat(send("POST", "/api/learners/" + learnerId + "/lead/handover", worker("college-ana", COLLEGE),
                Map.of("toAgencyId", HOUSING, "toWorkerId", "housing-kim"))
                .isProblem(422, "agency-without-standing")).isTrue();
        assertThat(assign(learnerId, worker("college-bo", COLLEGE), "college-bo")
                .isProblem(409, "lead-already-assigned")).isTrue();

        consentTo(learnerId, COLLEGE, COUNCIL, "CONTACT");
        assertThat(assign(learnerId, worker("council-sam", COUNCIL), "council-sam")
                .isProblem(409, "lead-already-assigned"))
                .as("with standing now, the council still has to be handed the lead").isTrue();

        List<JsonNode> assignedEvents = events(learnerId, EventType.LEAD_ASSIGNED, 1);
        assertThat(assignedEvents).hasSize(1);
        assertThat(assignedEvents.getFirst().path("agencyId").asString()).isEqualTo(COLLEGE);
        assertThat(assignedEvents.getFirst().path("workerId").asString()).isEqualTo("college-ana");
        assertThat(assignedEvents.getFirst().path("assignedByAgencyId").asString()).isEqualTo(COLLEGE);
    }

    @Test
    void aHandoverNeedsTheNewLeadsAcceptanceAndUntilThenTheOldLeadStays() {
        String learnerId = registerLearner(COLLEGE);
        consentTo(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING");
        assertThat(assign(learnerId, worker("college-ana", COLLEGE), "college-ana").status()).isEqualTo(200);
        String path = "/api/learners/" + learnerId + "/lead/handover";

        assertThat(send("POST", path, worker("council-sam", COUNCIL),
                Map.of("toAgencyId", COUNCIL, "toWorkerId", "council-sam")).isProblem(403, "not-the-lead"))
                .as("only the lead's agency hands over").isTrue();
        HttpApi.Response offered = send("POST", path, worker("college-ana", COLLEGE),
                Map.of("toAgencyId", COUNCIL, "toWorkerId", "council-sam"));
        assertThat(offered.status()).isEqualTo(200);

        JsonNode waiting = lead(learnerId, COUNCIL);
        assertThat(waiting.path("lead").path("workerId").asString()).isEqualTo("college-ana");
        assertThat(waiting.path("pendingHandover").path("toWorkerId").asString()).isEqualTo("council-sam");
        assertThat(send("POST", path + "/accept", worker("council-jo", COUNCIL), Map.of())
                .isProblem(403, "not-the-named-worker")).as("another worker of the same agency").isTrue();
        assertThat(send("POST", path + "/accept", worker("council-sam", COLLEGE), Map.of())
                .isProblem(403, "not-the-named-worker")).as("the same subject at another agency").isTrue();
        assertThat(lead(learnerId, COLLEGE).path("lead").path("workerId").asString()).isEqualTo("college-ana");

        HttpApi.Response accepted = send("POST", path + "/accept", worker("council-sam", COUNCIL), Map.of());
        assertThat(accepted.status()).isEqualTo(200);
        assertThat(accepted.body().path("lead").path("agencyId").asString()).isEqualTo(COUNCIL);
        assertThat(accepted.body().path("pendingHandover").isNull()).isTrue();

        List<JsonNode> handedOver = events(learnerId, EventType.LEAD_HANDED_OVER, 1);
        assertThat(handedOver).hasSize(1);
        assertThat(handedOver.getFirst().path("fromAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(handedOver.getFirst().path("fromWorkerId").asString()).isEqualTo("college-ana");
        assertThat(handedOver.getFirst().path("toAgencyId").asString()).isEqualTo(COUNCIL);
        assertThat(handedOver.getFirst().path("toWorkerId").asString()).isEqualTo("council-sam");
        assertThat(events(learnerId, EventType.LEAD_ASSIGNED, 1)).as("the handover is not a new assignment")
                .hasSize(1);
    }

    @Test
    void aDeclinedHandoverChangesNothingAndPublishesNothing() {
        String learnerId = registerLearner(COLLEGE);
        consentTo(learnerId, COLLEGE, COUNCIL, "CONTACT");
        assign(learnerId, worker("college-ana", COLLEGE), "college-ana");
        String path = "/api/learners/" + learnerId + "/lead/handover";
        send("POST", path, worker("college-ana", COLLEGE), Map.of("toAgencyId", COUNCIL, "toWorkerId", "council-sam"));

        assertThat(send("DELETE", path, worker("council-jo", COUNCIL), Map.of()).isProblem(403, "not-the-lead"))
                .isTrue();
        HttpApi.Response declined = send("DELETE", path, worker("council-sam", COUNCIL), Map.of());
        assertThat(declined.status()).isEqualTo(200);
        assertThat(declined.body().path("pendingHandover").isNull()).isTrue();
        assertThat(send("POST", path + "/accept", worker("council-sam", COUNCIL), Map.of()).status())
                .isEqualTo(404);

        // The step-down is the marker: once its event is here, a handed-over event would have been too.
        assertThat(send("DELETE", "/api/learners/" + learnerId + "/lead", worker("college-ana", COLLEGE), Map.of())
                .status()).isEqualTo(200);
        List<JsonNode> ended = events(learnerId, EventType.LEAD_ENDED, 1);
        assertThat(ended).hasSize(1);
        assertThat(ended.getFirst().path("reason").asString()).isEqualTo("STEPPED_DOWN");
        assertThat(learnerTopic.settle(r -> isOfType(r, learnerId, EventType.LEAD_HANDED_OVER.type()),
                Duration.ZERO)).isEmpty();
        assertThat(lead(learnerId, COLLEGE).path("lead").isNull()).isTrue();
    }

    @Test
    void aLeadWhoseAgencyLosesStandingEndsAtOnce() {
        String learnerId = registerLearner(COLLEGE);
        String consentId = consentTo(learnerId, COLLEGE, COUNCIL, "REFERRAL_SHARING");
        assertThat(assign(learnerId, worker("council-sam", COUNCIL), "council-sam").status()).isEqualTo(200);

        assertThat(api().delete("/api/learners/" + learnerId + "/consents/" + consentId, TestTokens.worker(COLLEGE))
                .status()).isEqualTo(200);

        List<JsonNode> ended = events(learnerId, EventType.LEAD_ENDED, 1);
        assertThat(ended).hasSize(1);
        assertThat(ended.getFirst().path("agencyId").asString()).isEqualTo(COUNCIL);
        assertThat(ended.getFirst().path("workerId").asString()).isEqualTo("council-sam");
        assertThat(ended.getFirst().path("reason").asString()).isEqualTo("STANDING_LOST");
        assertThat(lead(learnerId, COLLEGE).path("lead").isNull()).isTrue();
        assertThat(api().get("/api/learners/" + learnerId + "/lead", TestTokens.worker(COUNCIL)).status())
                .isEqualTo(404);
        // Reading it again ends nothing again.
        lead(learnerId, COLLEGE);
        assertThat(assign(learnerId, worker("college-ana", COLLEGE), "college-ana").status()).isEqualTo(200);
        events(learnerId, EventType.LEAD_ASSIGNED, 2);
        assertThat(events(learnerId, EventType.LEAD_ENDED, 1)).hasSize(1);
    }

    @Test
    void erasureEndsTheLeadWithoutAName() {
        String learnerId = registerLearner(COLLEGE);
        assign(learnerId, worker("college-ana", COLLEGE), "college-ana");

        assertThat(api().delete("/api/learners/" + learnerId, TestTokens.worker(COLLEGE)).status()).isEqualTo(200);

        List<ConsumerRecord<String, byte[]>> ended = learnerTopic.await(
                r -> isOfType(r, learnerId, EventType.LEAD_ENDED.type()), 1, EVENT_DEADLINE);
        assertThat(ended).hasSize(1);
        assertThat(cloudEvent(ended.getFirst()).path("data").path("reason").asString()).isEqualTo("LEARNER_ERASED");
        assertThat(new String(ended.getFirst().value(), StandardCharsets.UTF_8)).doesNotContain("Amina", "Okafor");
        assertThat(mongo.findById(learnerId, LearnerLead.class).lead()).isEmpty();
    }

    @Test
    void anAgencyCoveredOnlyByAConsentToItsKindIsRefusedTheLeadAsOneWithoutGroundsByWhoCannotSeeIt() {
        String clinic = "agency-clinic-" + UUID.randomUUID().toString().substring(0, 8);
        awaitHandled(AgencyKinds.HANDLER, catalogue.publish(new AgencyRegistered(clinic, AgencyKind.HEALTH,
                AgencySector.PUBLIC, true, Instant.now())));
        String learnerId = registerLearner(COLLEGE);
        consentTo(learnerId, COLLEGE, COUNCIL, "CONTACT");
        assertThat(api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyKind", "HEALTH", "purpose", "CONTACT", "method", "WRITTEN")).status()).isEqualTo(201);
        assertThat(assign(learnerId, worker("council-sam", COUNCIL), "council-sam").status()).isEqualTo(200);
        String path = "/api/learners/" + learnerId + "/lead/handover";

        HttpApi.Response toKindCovered = send("POST", path, worker("council-sam", COUNCIL),
                Map.of("toAgencyId", clinic, "toWorkerId", "clinic-lee"));
        HttpApi.Response toStranger = send("POST", path, worker("council-sam", COUNCIL),
                Map.of("toAgencyId", "agency-nowhere", "toWorkerId", "clinic-lee"));
        assertThat(toStranger.isProblem(422, "agency-without-standing")).isTrue();
        assertThat(toKindCovered.isProblem(422, "agency-without-standing"))
                .as("the council sees only its own consents: the answer must not tell it the learner consented to "
                        + "health agencies").isTrue();
        assertThat(toKindCovered.body().path("detail").asString())
                .isEqualTo(toStranger.body().path("detail").asString());
        assertThat(lead(learnerId, COLLEGE).path("pendingHandover").isNull()).isTrue();

        // Once the clinic is in the team as the council sees it (a referral it receives), it may be offered the lead.
        referTo(learnerId, COLLEGE, clinic);
        assertThat(send("POST", path, worker("council-sam", COUNCIL),
                Map.of("toAgencyId", clinic, "toWorkerId", "clinic-lee")).status()).isEqualTo(200);
        assertThat(lead(learnerId, COUNCIL).path("pendingHandover").path("toAgencyId").asString()).isEqualTo(clinic);
    }

    @Test
    void badInputIsAProblemAndChangesNothing() {
        String learnerId = registerLearner(COLLEGE);
        String token = worker("college-ana", COLLEGE);
        assertThat(send("PUT", "/api/learners/" + learnerId + "/lead", token, Map.of("workerId", "Sam Jones"))
                .isProblem(400, "validation")).isTrue();
        assertThat(send("PUT", "/api/learners/" + learnerId + "/lead", token, Map.of()).status()).isEqualTo(400);
        assertThat(send("PUT", "/api/learners/" + learnerId + "/lead", token,
                Map.of("workerId", "college-ana", "agencyId", COUNCIL)).status()).isEqualTo(400);
        assertThat(send("PUT", "/api/learners/" + learnerId + "/lead", token, "{\"workerId\": {\"$gt\": \"\"}}")
                .status()).isEqualTo(400);
        assertThat(send("POST", "/api/learners/" + learnerId + "/lead/handover", token,
                Map.of("toAgencyId", COUNCIL)).status()).isEqualTo(400);
        assertThat(send("DELETE", "/api/learners/" + learnerId + "/lead", token, Map.of()).isProblem(404, "not-found"))
                .isTrue();
        assertThat(lead(learnerId, COLLEGE).path("lead").isNull()).isTrue();
    }
}
