package org.pathways.messaging.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.StreamSupport;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.messaging.MessagingServiceTest;
import org.pathways.messaging.MessagingTestApplication;
import org.pathways.platform.security.Role;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.databind.JsonNode;

/**
 * A platform administrator's view of a service's dead letters, over real HTTP against the real broker and store:
 * a poison record is listed and inspected without its data, re-driven once its cause is fixed (applied once), or
 * discarded with a reason (never offered again); a learner's consent withdrawal left there says so; nobody else
 * gets in.
 */
class DeadLetterAdministrationTest extends MessagingServiceTest {

    private static final String BASE = "/api/dead-letters/messaging-test";
    private static final String ADMIN = TestTokens.token("platform-admin", "partnership", Role.PLATFORM_ADMIN);
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static EventProducer events;

    @LocalServerPort
    int port;
    @Autowired
    MeterRegistry meters;
    @Autowired
    MongoTemplate mongo;

    @BeforeAll
    static void producer() {
        events = new EventProducer();
    }

    @AfterAll
    static void close() {
        events.close();
    }

    private HttpApi api() {
        return new HttpApi(port);
    }

    /** The open dead letter holding event {@code eventId}, once it is listed. */
    private JsonNode listed(String eventId) {
        return await().atMost(DEADLINE).until(() -> find(api().get(BASE + "?size=200", ADMIN).body(), eventId),
                Optional::isPresent).get();
    }

    private static Optional<JsonNode> find(JsonNode page, String eventId) {
        return StreamSupport.stream(page.path("deadLetters").spliterator(), false)
                .filter(d -> eventId.equals(d.path("event").path("id").asString()))
                .findFirst();
    }

    private static long handled(String eventId) {
        return MessagingTestApplication.HANDLED_EVENT_IDS.stream().filter(eventId::equals).count();
    }

    @Test
    void aPoisonRecordIsListedInspectedWithoutItsDataAndReDrivenOnceItsCauseIsFixed() {
        String learnerId = "lrn-" + UUID.randomUUID();
        MessagingTestApplication.MISSING_STATE.add(learnerId);
        String eventId = events.publish(new LearnerRegistered(learnerId, "agency-college", "LS7 3QP", Instant.now()));

        JsonNode deadLetter = listed(eventId);
        String id = deadLetter.get("id").asString();
        assertThat(deadLetter.get("state").asString()).isEqualTo("OPEN");
        assertThat(deadLetter.path("origin").path("topic").asString()).isEqualTo("pathways.learners");
        assertThat(deadLetter.path("origin").path("partition").isInt()).isTrue();
        assertThat(deadLetter.path("origin").path("offset").isNumber()).isTrue();
        assertThat(deadLetter.path("event").path("type").asString()).isEqualTo(EventType.LEARNER_REGISTERED.type());
        assertThat(deadLetter.path("sensitive").isNull()).isTrue();

        HttpApi.Response shown = api().get(BASE + "/" + id, ADMIN);
        assertThat(shown.status()).as(shown.toString()).isEqualTo(200);
        JsonNode failure = shown.body().get("failure");
        assertThat(failure.get("exceptionClass").asString()).isNotBlank();
        assertThat(failure.get("rootCause").asString()).isEqualTo(IllegalStateException.class.getName());
        assertThat(failure.get("message").asString()).contains("no read model yet").doesNotContain("failedMessage");
        assertThat(shown.body().get("event").get("id").asString()).isEqualTo(eventId);
        assertThat(shown.body().get("event").get("source").asString()).isNotBlank();
        assertThat(shown.body().get("event").get("time").asString()).isNotBlank();
        // Envelope and error only: neither the data (the postcode district), nor the subject, nor a stack trace.
        assertThat(shown.body().toString()).doesNotContain("LS7").doesNotContain(learnerId)
                .doesNotContain("\"data\"").doesNotContain("at org.");
        assertThat(handled(eventId)).isZero();

        // The missing state now exists: re-driven, the same event (same id) is applied, once.
        MessagingTestApplication.MISSING_STATE.remove(learnerId);
        HttpApi.Response redriven = api().post(BASE + "/" + id + "/redrive", ADMIN, Map.of());
        assertThat(redriven.status()).as(redriven.toString()).isEqualTo(200);
        assertThat(redriven.text("state")).isEqualTo("REDRIVEN");
        assertThat(redriven.body().get("resolution").get("by").asString()).isEqualTo("platform-admin");
        await().atMost(DEADLINE).until(() -> handled(eventId) == 1);

        HttpApi.Response again = api().post(BASE + "/" + id + "/redrive", ADMIN, Map.of());
        assertThat(again.isProblem(409, "dead-letter-resolved")).as(again.toString()).isTrue();
        assertThat(find(api().get(BASE + "?size=200", ADMIN).body(), eventId)).isEmpty();
        assertThat(find(api().get(BASE + "?state=redriven&size=200", ADMIN).body(), eventId)).isPresent();

        // Later events on the same partition are handled, and the re-driven one still once.
        String marker = events.publish(new LearnerRegistered(learnerId, "agency-college", "LS7", Instant.now()));
        await().atMost(DEADLINE).until(() -> handled(marker) == 1);
        assertThat(handled(eventId)).isEqualTo(1);
        assertThat(mongo.count(Query.query(Criteria.where("route").regex("redrive")
                .and("userId").is("platform-admin").and("ids.id").is(id)), "audit-trail")).isEqualTo(2);
    }

    @Test
    void aDiscardedDeadLetterIsGoneFromTheListWithItsReasonKept() throws Exception {
        String key = "poison-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("pathways.learners", key,
                    ("not a cloud event " + key).getBytes(StandardCharsets.UTF_8))).get();
        }
        // Not a CloudEvent: no envelope, so it is found by the order of the topic (the newest without one).
        JsonNode deadLetter = await().atMost(DEADLINE).until(() -> StreamSupport.stream(
                        api().get(BASE + "?size=200", ADMIN).body().path("deadLetters").spliterator(), false)
                .filter(d -> d.path("event").isNull() && d.path("failure").path("message").asString()
                        .contains("Not a structured JSON CloudEvent"))
                .reduce((first, second) -> second), Optional::isPresent).get();
        String id = deadLetter.get("id").asString();

        HttpApi.Response blank = api().post(BASE + "/" + id + "/discard", ADMIN, Map.of("reason", " "));
        assertThat(blank.status()).as(blank.toString()).isEqualTo(400);
        HttpApi.Response discarded = api().post(BASE + "/" + id + "/discard", ADMIN,
                Map.of("reason", "a test client's garbage, never an event"));
        assertThat(discarded.status()).as(discarded.toString()).isEqualTo(200);
        assertThat(discarded.text("state")).isEqualTo("DISCARDED");

        JsonNode open = api().get(BASE + "?size=200", ADMIN).body();
        assertThat(StreamSupport.stream(open.get("deadLetters").spliterator(), false)
                .map(d -> d.get("id").asString())).doesNotContain(id);
        JsonNode kept = api().get(BASE + "/" + id, ADMIN).body();
        assertThat(kept.get("state").asString()).isEqualTo("DISCARDED");
        assertThat(kept.get("resolution").get("reason").asString()).isEqualTo("a test client's garbage, never an event");
        assertThat(api().post(BASE + "/" + id + "/redrive", ADMIN, Map.of()).isProblem(409, "dead-letter-resolved"))
                .isTrue();
        assertThat(api().post(BASE + "/" + id + "/discard", ADMIN, Map.of("reason", "twice"))
                .isProblem(409, "dead-letter-resolved")).isTrue();
        Document state = mongo.findOne(Query.query(Criteria.where("deadLetterId").is(id)
                .and("topic").is("pathways.dlq.messaging-test")), Document.class, "dead-letters");
        assertThat(state.getString("by")).isEqualTo("platform-admin");
    }

    @Test
    void aDeadLetteredConsentWithdrawalIsFlaggedAndCountedApart() {
        String learnerId = "lrn-" + UUID.randomUUID();
        MessagingTestApplication.MISSING_STATE.add(learnerId);
        String eventId = events.publish(new ConsentWithdrawn(learnerId, "cns-" + UUID.randomUUID(),
                "agency-college", ConsentPurpose.CONTACT, Instant.now()));

        JsonNode deadLetter = listed(eventId);
        assertThat(deadLetter.get("sensitive").asString()).isEqualTo("consent-withdrawal");
        assertThat(deadLetter.path("event").path("type").asString()).isEqualTo(EventType.CONSENT_WITHDRAWN.type());
        assertThat(meters.get("pathways.dead.letters.open").tag("sensitive", "consent-withdrawal").gauge().value())
                .isGreaterThanOrEqualTo(1);

        MessagingTestApplication.MISSING_STATE.remove(learnerId);
        double before = meters.get("pathways.dead.letters.open").tag("sensitive", "consent-withdrawal").gauge()
                .value();
        assertThat(api().post(BASE + "/" + deadLetter.get("id").asString() + "/redrive", ADMIN, Map.of()).status())
                .isEqualTo(200);
        assertThat(meters.get("pathways.dead.letters.open").tag("sensitive", "consent-withdrawal").gauge().value())
                .isEqualTo(before - 1);
        await().atMost(DEADLINE).until(() -> handled(eventId) == 1);
    }

    @Test
    void onlyAPlatformAdministratorGetsInAndABadIdIsNotFound() {
        String worker = TestTokens.worker("agency-college");
        assertThat(api().get(BASE, worker).isProblem(403, "forbidden")).isTrue();
        assertThat(api().get(BASE + "/0-0", worker).isProblem(403, "forbidden")).isTrue();
        assertThat(api().post(BASE + "/0-0/redrive", worker, Map.of()).isProblem(403, "forbidden")).isTrue();
        assertThat(api().post(BASE + "/0-0/discard", worker, Map.of("reason", "mine")).isProblem(403, "forbidden"))
                .isTrue();
        assertThat(api().get(BASE, null).status()).isEqualTo(401);

        assertThat(api().get(BASE + "/not-an-id", ADMIN).isProblem(404, "not-found")).isTrue();
        assertThat(api().get(BASE + "/0-999999999", ADMIN).isProblem(404, "not-found")).isTrue();
        assertThat(api().get(BASE + "/77-0", ADMIN).isProblem(404, "not-found")).isTrue();
        assertThat(api().post(BASE + "/0-999999999/redrive", ADMIN, Map.of()).isProblem(404, "not-found")).isTrue();
        assertThat(api().get(BASE + "?state=lost", ADMIN).status()).isEqualTo(400);
        assertThat(api().get(BASE + "?size=0", ADMIN).status()).isEqualTo(400);
    }
}
