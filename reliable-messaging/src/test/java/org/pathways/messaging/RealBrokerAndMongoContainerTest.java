package org.pathways.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.messaging.MessagingTestApplication.TrackedLearner;
import org.pathways.messaging.outbox.Outbox;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.mongodb.core.MongoTemplate;
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
}
