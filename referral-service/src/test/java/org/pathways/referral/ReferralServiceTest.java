package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.platform.security.Role;
import org.pathways.referral.readmodel.ConsentView;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HandledEvents;
import org.pathways.testing.HttpApi;
import org.pathways.testing.MongoQueryLog;
import org.pathways.testing.MutableClock;
import org.pathways.testing.RunningServiceTest;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.TestTokens;
import org.pathways.testing.TopicRecorder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one Spring context of the module's service tests: the real broker and Mongo-wire store, real HTTP, and a
 * clock tests can move forward, and a log of the queries sent to the store ({@link MongoQueryLog}, which only
 * listens). Every service test class extends this, so the context is built once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=" + ReferralServiceApplication.NAME)
@Import({ReferralServiceTest.Clocks.class, MongoQueryLog.class, org.pathways.testing.StoreCommands.class})
public abstract class ReferralServiceTest extends RunningServiceTest {

    protected static final JsonMapper JSON = JsonMapper.builder().build();
    protected static final String COUNCIL = "agency-council";
    protected static final String COLLEGE = "agency-college";
    protected static final String JOBCENTRE = "agency-jobcentre";
    protected static final Duration DEADLINE = Duration.ofSeconds(20);

    protected static EventProducer events;
    protected static TopicRecorder referrals;

    private static final HttpClient HTTP_CLIENT = HttpClient.newHttpClient();

    @Autowired
    protected MongoTemplate store;

    /** The shared agency kinds read model (reliable-messaging), as this service keeps it. */
    @Autowired
    protected AgencyKinds agencyKinds;

    @Autowired
    protected SwitchableAuditTrail auditTrail;

    @TestConfiguration(proxyBeanMethods = false)
    static class Clocks {
        @Bean
        MutableClock clock() {
            return new MutableClock();
        }

        @Bean
        CrashingRerouteCheckpoint rerouteCheckpoint() {
            return new CrashingRerouteCheckpoint();
        }

        @Bean
        SwitchableAuditTrail auditTrail(MongoTemplate mongo) {
            return new SwitchableAuditTrail(new org.pathways.platform.audit.MongoAuditTrail(mongo));
        }
    }

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry, "referrals");
    }

    @BeforeAll
    static void startClients() {
        events = new EventProducer();
        referrals = new TopicRecorder("pathways.referrals");
    }

    @AfterAll
    static void stopClients() {
        events.close();
        referrals.close();
    }

    /**
     * A learner the council registered (so it has standing to refer them), with consent to share with
     * {@code agency}, and a published course of that agency.
     */
    protected record Scenario(String learnerId, String opportunityId, String consentId, String agency) {
    }

    protected Scenario consentedLearnerAndPublishedCourse(Integer capacity, int taken) {
        return consentedLearnerAndPublishedCourse(COLLEGE, capacity, taken);
    }

    protected Scenario consentedLearnerAndPublishedCourse(String agency, Integer capacity, int taken) {
        Scenario s = new Scenario("lrn-" + UUID.randomUUID(), "opp-" + UUID.randomUUID(), "cns-" + UUID.randomUUID(),
                agency);
        events.publish(new OpportunityPublished(s.opportunityId(), agency, OpportunityKind.FORMAL_LEARNING, "E2",
                capacity, taken, Instant.now()));
        registered(s.learnerId(), COUNCIL);
        grantConsent(s.learnerId(), s.consentId(), agency);
        return s;
    }

    /** {@code agency} registered the learner (published before their consents, on the same partition). */
    protected static void registered(String learnerId, String agency) {
        events.publish(new LearnerRegistered(learnerId, agency, "LS6", Instant.now().minusSeconds(2)));
    }

    /** Another learner, consented to the same agency, for the same course. */
    protected Scenario anotherLearner(Scenario course) {
        Scenario s = new Scenario("lrn-" + UUID.randomUUID(), course.opportunityId(), "cns-" + UUID.randomUUID(),
                course.agency());
        registered(s.learnerId(), COUNCIL);
        grantConsent(s.learnerId(), s.consentId(), course.agency());
        return s;
    }

    protected static void grantConsent(String learnerId, String consentId, String agency) {
        events.publish(new ConsentGranted(learnerId, consentId, agency, ConsentPurpose.REFERRAL_SHARING,
                Instant.now().minusSeconds(1), null));
    }

    protected static String body(Scenario s) {
        return """
                {"learnerId":"%s","opportunityId":"%s","need":"Wants to improve spoken English for work","urgency":"ROUTINE"}
                """.formatted(s.learnerId(), s.opportunityId());
    }

    /** A snapshot of what a learner agreed to share, as a worker copies it from their profile. */
    protected static final String SUMMARY = """
            {"givenName":"Amina","familyName":"Haddad","preferredName":"Mina","dateOfBirth":"1990-04-02",
             "localityCode":"ls6","preferredLanguage":"ar","interpreterNeeded":true,
             "accessibilityNeeds":"Step-free access, please","barriers":["CHILDCARE","TRANSPORT"],
             "goals":"Speak English confidently at work\\nthen train as a teaching assistant",
             "interests":["cooking","gardening"],
             "priorAchievements":[{"title":"Food hygiene level 2","kind":"FORMAL","level":"L2",
                                   "achievedOn":"2019-06-01","accredited":true},
                                  {"title":"Ran the food bank rota","kind":"INFORMAL"}]}""";

    protected static String bodyWithSummary(Scenario s, String summary) {
        return """
                {"learnerId":"%s","opportunityId":"%s","need":"Wants to improve spoken English for work",
                 "urgency":"ROUTINE","sharedSummary":%s}
                """.formatted(s.learnerId(), s.opportunityId(), summary);
    }

    /** Submits with a summary once the read models know the learner's consent and the course. */
    protected JsonNode submittedWithSummary(Scenario s) {
        HttpApi.Response response = await().atMost(DEADLINE).until(
                () -> api().post("/api/referrals", worker(COUNCIL), bodyWithSummary(s, SUMMARY)),
                r -> r.status() != 422 && r.status() != 404);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.body();
    }

    /**
     * Submits (as {@code token}) until the read models have caught up with the events (eventually consistent):
     * until then the learner is unknown (404) or without consent (422).
     */
    protected HttpApi.Response submitWhenKnown(Scenario s, String token) {
        return await().atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                .until(() -> api().post("/api/referrals", token, body(s)), r -> r.status() != 422
                        && r.status() != 404);
    }

    /** A referral from the council to the scenario's agency, as the API answered its submission. */
    protected JsonNode submitted(Scenario s) {
        HttpApi.Response response = submitWhenKnown(s, TestTokens.worker(COUNCIL));
        if (response.status() != 201) {
            throw new AssertionError("Submission answered " + response.status() + " " + response.body());
        }
        return response.body();
    }

    /** Asks for one transition with the version last seen. */
    protected HttpApi.Response transition(String token, JsonNode referral, String action, String reason,
                                          String reasonText) {
        Map<String, Object> request = new java.util.LinkedHashMap<>();
        request.put("action", action);
        if (reason != null) {
            request.put("reason", reason);
        }
        if (reasonText != null) {
            request.put("reasonText", reasonText);
        }
        request.put("version", referral.get("version").asLong());
        return api().post("/api/referrals/" + referral.get("id").asString() + "/transitions", token, request);
    }

    /** Performs a transition that must succeed, and returns the referral it answered. */
    protected JsonNode step(String token, JsonNode referral, String action, String reason) {
        HttpApi.Response response = transition(token, referral, action, reason, null);
        if (response.status() != 200) {
            throw new AssertionError(action + " answered " + response.status() + " " + response.body());
        }
        return response.body();
    }

    protected static String worker(String agency) {
        return TestTokens.worker(agency);
    }

    protected static String coordinator() {
        return TestTokens.token("coord-1", "partnership", Role.COORDINATOR);
    }

    /** The events published about one referral, of one type (short name, e.g. "accepted"). */
    protected static List<JsonNode> eventsOf(String referralId, String type, int atLeast) {
        String fullType = "org.pathways.referral." + type + ".v1";
        return referrals.await(r -> referralId.equals(r.key()) && typeOf(r).equals(fullType), atLeast, DEADLINE)
                .stream().map(r -> JSON.readTree(r.value())).toList();
    }

    protected static String typeOf(ConsumerRecord<String, byte[]> record) {
        return JSON.readTree(record.value()).get("type").asString();
    }

    /**
     * Every event published about a referral up to now, proved complete by a marker instead of a fixed wait: a
     * note added now, whose note-added event the outbox relays after every event the referral had before it (one
     * referral's events are relayed in order, onto one partition). Distinct by event id (delivery is at least
     * once); the marker itself is left out.
     */
    protected List<JsonNode> eventsSoFar(String referralId, String partyAgency) {
        HttpApi.Response note = api().post("/api/referrals/" + referralId + "/notes", worker(partyAgency),
                Map.of("text", "marker"));
        if (note.status() != 201) {
            throw new AssertionError("The marker note answered " + note.status() + " " + note.body());
        }
        String noteId = note.text("id");
        List<ConsumerRecord<String, byte[]>> seen = referrals.await(r -> referralId.equals(r.key())
                && new String(r.value()).contains(noteId), 1, DEADLINE);
        Map<String, JsonNode> before = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : referrals.await(r -> referralId.equals(r.key()), 0,
                Duration.ZERO)) {
            JsonNode event = JSON.readTree(record.value());
            if (event.get("data").path("noteId").asString().equals(noteId)) {
                break;
            }
            before.putIfAbsent(event.get("id").asString(), event);
        }
        if (seen.isEmpty()) {
            throw new AssertionError("The marker note's event never arrived");
        }
        return new ArrayList<>(before.values());
    }

    /** The short types (e.g. "on-hold") of the events published about a referral so far. */
    protected List<String> typesSoFar(String referralId, String partyAgency) {
        return eventsSoFar(referralId, partyAgency).stream()
                .map(e -> e.get("type").asString().replace("org.pathways.referral.", "").replace(".v1", ""))
                .toList();
    }

    /**
     * Waits until the service has handled every learner event published so far for this learner: a marker consent
     * (another purpose, another agency) published now is handled after them, being on the same partition.
     */
    protected void learnerEventsHandled(String learnerId) {
        String marker = "cns-marker-" + UUID.randomUUID();
        events.publish(new ConsentGranted(learnerId, marker, "agency-marker", ConsentPurpose.CONTACT,
                Instant.now(), null));
        await().atMost(DEADLINE).until(() -> store.findById(marker, ConsentView.class) != null);
    }

    /**
     * Waits until the service's inbox has marked the event processed: its handler finished, whatever it changed (or
     * it was a redelivery the inbox skipped, after the first delivery was processed). A test that asserts an event
     * changed nothing proves this first, so that the assertion cannot pass merely because the event was not
     * consumed yet.
     *
     * @param eventId the id {@link EventProducer#publish} answered
     */
    protected void consumed(String eventId) {
        await().atMost(DEADLINE).until(() -> HandledEvents.handledByAny(store, eventId));
    }

    /** Sends a request with extra headers (If-Match, Idempotency-Key) and reads the answer's headers too. */
    protected HttpResponse<String> send(String method, String path, String token, String body,
                                        String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP_CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Walks a submitted referral to ACCEPTED as its receiving agency. */
    protected JsonNode accepted(JsonNode submitted, String receivingAgency) {
        JsonNode referral = step(worker(receivingAgency), submitted, "RECEIVE", null);
        return step(worker(receivingAgency), referral, "ACCEPT", null);
    }

    /** Walks a submitted referral to COMPLETED as its receiving agency. */
    protected JsonNode completed(JsonNode submitted, String receivingAgency) {
        JsonNode referral = step(worker(receivingAgency), accepted(submitted, receivingAgency), "START", null);
        return step(worker(receivingAgency), referral, "COMPLETE", null);
    }
}
