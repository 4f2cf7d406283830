package org.pathways.referral;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.platform.security.Role;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.TestTokens;
import org.pathways.testing.TopicRecorder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one Spring context of the module's service tests: the real broker and Mongo-wire store, real HTTP, and a
 * clock tests can move forward. Every service test class extends this, so the context is built once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=" + ReferralServiceApplication.NAME)
@Import(ReferralServiceTest.Clocks.class)
public abstract class ReferralServiceTest {

    protected static final JsonMapper JSON = JsonMapper.builder().build();
    protected static final String COUNCIL = "agency-council";
    protected static final String COLLEGE = "agency-college";
    protected static final String JOBCENTRE = "agency-jobcentre";
    protected static final Duration DEADLINE = Duration.ofSeconds(20);

    protected static EventProducer events;
    protected static TopicRecorder referrals;

    @LocalServerPort
    protected int port;

    @TestConfiguration(proxyBeanMethods = false)
    static class Clocks {
        @Bean
        MutableClock clock() {
            return new MutableClock();
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

    protected HttpApi api() {
        return new HttpApi(port);
    }

    /** A learner with consent to share with {@code agency}, and a published course of that agency. */
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
        grantConsent(s.learnerId(), s.consentId(), agency);
        return s;
    }

    /** Another learner, consented to the same agency, for the same course. */
    protected Scenario anotherLearner(Scenario course) {
        Scenario s = new Scenario("lrn-" + UUID.randomUUID(), course.opportunityId(), "cns-" + UUID.randomUUID(),
                course.agency());
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

    /** Submits (as {@code token}) until the read models have caught up with the events (eventually consistent). */
    protected HttpApi.Response submitWhenKnown(Scenario s, String token) {
        return await().atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                .until(() -> api().post("/api/referrals", token, body(s)), r -> r.status() != 422);
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
}
