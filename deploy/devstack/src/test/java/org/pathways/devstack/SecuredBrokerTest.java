package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathways.messaging.deadletter.DeadLetterTopic;

/**
 * The devstack's own broker, started as the devstack starts it (SASL/SCRAM listener, StandardAuthorizer, a user and
 * the ACLs of {@link KafkaAccess} per service) but on free ports of its own, so that it neither needs nor disturbs a
 * devstack or the tests' shared broker: a service may publish its own events and nobody else's.
 */
class SecuredBrokerTest {

    @TempDir
    static Path dataDir;
    private static KafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(dataDir.resolve("logs"));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        broker = new KafkaBroker(dataDir, BrokerClients.freePort(), BrokerClients.freePort(), quiet,
                ConsoleFilter::problemsOnly);
        broker.start();
        broker.awaitReady();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void aServicePublishesOnItsOwnTopic() throws Exception {
        try (KafkaProducer<String, String> producer =
                BrokerClients.producer(broker.clientConfig("referral-service"), Duration.ofSeconds(20))) {
            RecordMetadata written = producer.send(new ProducerRecord<>("pathways.referrals", "r-1", "{}"))
                    .get(30, TimeUnit.SECONDS);
            assertThat(written.topic()).isEqualTo("pathways.referrals");
            assertThat(written.offset()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void aServiceIsRefusedWhenItWritesAnotherServicesTopic() {
        // A forged consent or erasure needs learner-profile-service's credentials, not just access to the broker.
        try (KafkaProducer<String, String> producer =
                BrokerClients.producer(broker.clientConfig("referral-service"), Duration.ofSeconds(20))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("pathways.learners", "l-1", "{}"))
                    .get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining("pathways.learners");
        }
    }

    @Test
    void aServiceReadsOnlyTheTopicsItConsumes() {
        Map<String, Object> config = broker.clientConfig("learner-profile-service");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition("pathways.referrals", 0)));
            consumer.poll(Duration.ofSeconds(2));  // allowed: no exception
            consumer.assign(List.of(new TopicPartition("pathways.deliveries", 0)));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10)))
                    .isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aServiceReadsItsOwnDeadLettersAsItsAdministratorsListThemAndNoOtherServicesOnes() throws Exception {
        try (KafkaProducer<String, String> producer =
                BrokerClients.producer(broker.clientConfig("notification-service"), Duration.ofSeconds(20))) {
            producer.send(new ProducerRecord<>("pathways.dlq.notification-service", "parked-1", "{}"))
                    .get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer =
                BrokerClients.producer(broker.clientConfig("referral-service"), Duration.ofSeconds(20))) {
            producer.send(new ProducerRecord<>("pathways.dlq.referral-service", "parked-2", "{}"))
                    .get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> notification = broker.clientConfig("notification-service");
        // The clients the dead letters' endpoint reads and re-drives with, given the service's own settings.
        DeadLetterTopic own = new DeadLetterTopic("pathways.dlq.notification-service", notification, notification,
                Duration.ofSeconds(20));
        DeadLetterTopic others = new DeadLetterTopic("pathways.dlq.referral-service", notification, notification,
                Duration.ofSeconds(20));
        try {
            assertThat(own.readAll()).extracting(record -> new String(record.key(), StandardCharsets.UTF_8))
                    .containsExactly("parked-1");
            // Not described to it: as far as its principal can tell, there is no such topic.
            assertThat(others.readAll()).isEmpty();
            // Back to the topic it came from, which another service publishes: refused, and said so.
            DeadLetterTopic.Record parked = own.readAll().get(0);
            assertThatThrownBy(() -> own.redrive(parked, "pathways.referrals"))
                    .isInstanceOf(DeadLetterTopic.RedriveRefused.class)
                    .hasMessageContaining("pathways.referrals");
        } finally {
            own.destroy();
            others.destroy();
        }
    }

    @Test
    void aClientWithoutTheServicesPasswordGetsNowhere() {
        try (KafkaProducer<String, String> producer =
                BrokerClients.producer(broker.clientConfig("referral-service", "guessed"), Duration.ofSeconds(20))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("pathways.referrals", "r-1", "{}"))
                    .get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(SaslAuthenticationException.class);
        }
    }
}
