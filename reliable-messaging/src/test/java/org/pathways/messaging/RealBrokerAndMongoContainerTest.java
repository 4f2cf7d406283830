package org.pathways.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LearnerRegistered;
import org.bson.Document;
import org.pathways.messaging.MessagingTestApplication.TrackedLearner;
import org.pathways.messaging.inbox.EffectTransactions;
import org.pathways.messaging.outbox.Outbox;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.mongodb.MongoDatabaseFactory;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mongodb.MongoDBContainer;

/**
 * The outbox and inbox against the production parts: Apache Kafka's own image and a real MongoDB replica set.
 * Needs a Docker engine; where there is none (CI here) the class is skipped, and the same behaviour is covered by
 * {@link ReliableMessagingTest} on the embedded broker and store.
 */
@Tag("docker")
@Testcontainers(disabledWithoutDocker = true)
@SpringBootTest(properties = "spring.config.name=messaging-test")
class RealBrokerAndMongoContainerTest {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

    @Container
    static final MongoDBContainer MONGO = new MongoDBContainer("mongo:8.0");

    @Autowired
    Outbox outbox;

    @Autowired
    MongoTemplate mongo;

    @Autowired
    MongoDatabaseFactory factory;

    @DynamicPropertySource
    static void containers(DynamicPropertyRegistry registry) {
        registry.add("spring.cloud.stream.kafka.binder.brokers", KAFKA::getBootstrapServers);
        registry.add("spring.mongodb.uri", MONGO::getReplicaSetUrl);
        registry.add("spring.mongodb.database", () -> "messaging-container-test");
    }

    @Test
    void anEventSavedWithItsAggregateIsPublishedAndProcessedOnce() {
        String id = "lrn-" + UUID.randomUUID();
        outbox.save(new TrackedLearner(id, "LS6"), new LearnerRegistered(id, "agency-college", "LS6", Instant.now()));

        await().atMost(Duration.ofSeconds(60)).until(() -> MessagingTestApplication.HANDLED.stream()
                .anyMatch(event -> event.learnerId().equals(id)));
        await().atMost(Duration.ofSeconds(10)).until(() -> mongo.findById(id, org.bson.Document.class,
                "tracked-learners").getList("outbox", org.bson.Document.class).isEmpty());
        assertThat(MessagingTestApplication.HANDLED.stream().filter(event -> event.learnerId().equals(id)))
                .hasSize(1);
    }

    /**
     * The path the embedded store cannot take (it has no transactions): on a replica set, an effect spanning
     * documents and the inbox's done mark commit together, so a crash after the effect and before the mark leaves
     * neither, and the redelivered event applies the effect once.
     */
    @Test
    void onAReplicaSetAnEffectSpanningDocumentsAndItsDoneMarkCommitTogetherOrNotAtAll() {
        EffectTransactions transactions = EffectTransactions.detect(factory, mongo, EffectTransactions.Mode.AUTO);
        assertThat(transactions.available()).as("a replica set runs transactions").isTrue();
        String eventId = "evt-" + UUID.randomUUID();
        mongo.createCollection("effect-counts");
        mongo.createCollection("effect-marks");

        Runnable effectThenMark = () -> {
            mongo.upsert(Query.query(Criteria.where("_id").is("referrals")), new Update().inc("n", 1), "effect-counts");
            mongo.upsert(Query.query(Criteria.where("_id").is("opportunities")), new Update().inc("n", 1),
                    "effect-counts");
            mongo.insert(new Document("_id", eventId), "effect-marks");
        };
        // The first delivery crashes after both effects, before its mark is committed: nothing of it stays.
        assertThatThrownBy(() -> transactions.run(() -> {
            effectThenMark.run();
            throw new IllegalStateException("crash before commit");
        })).hasMessage("crash before commit");
        assertThat(mongo.findById("referrals", Document.class, "effect-counts")).isNull();
        assertThat(mongo.findById(eventId, Document.class, "effect-marks")).isNull();

        // Redelivered, it applies once, mark and all; a third delivery finds the mark and changes nothing.
        transactions.run(effectThenMark);
        assertThatThrownBy(() -> transactions.run(effectThenMark))
                .isInstanceOf(org.springframework.dao.DuplicateKeyException.class);
        assertThat(mongo.findById("referrals", Document.class, "effect-counts").getInteger("n")).isEqualTo(1);
        assertThat(mongo.findById("opportunities", Document.class, "effect-counts").getInteger("n")).isEqualTo(1);
    }
}
