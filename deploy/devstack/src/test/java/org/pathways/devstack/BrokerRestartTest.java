package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The devstack's broker over the starts of one data directory: on a later start a service's user, topic and ACLs are
 * there from the broker's first moment, so the devstack may start the services while the broker boots; a storage
 * whose users no longer match what the devstack hands out is set up again.
 */
class BrokerRestartTest {

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream(), true,
            StandardCharsets.UTF_8);

    /** The service whose credentials a later start checks before trusting its record. */
    private static final String PROBED = KafkaAccess.SERVICES.getFirst().principal();

    @TempDir
    Path dataDir;

    @Test
    void aLaterStartNeedsNoSetUpBeforeAServicePublishesAndLostCredentialsAreSetUpAgain() throws Exception {
        Files.createDirectories(dataDir.resolve("logs"));
        int brokerPort = BrokerClients.freePort();
        int controllerPort = BrokerClients.freePort();

        KafkaBroker first = new KafkaBroker(dataDir, brokerPort, controllerPort, QUIET, ConsoleFilter::problemsOnly);
        try {
            first.start();
            assertThat(first.accessInPlace()).as("a first start has users, topics and ACLs to create").isFalse();
            first.awaitReady();
        } finally {
            first.stop();
        }
        Path credentials = dataDir.resolve("kafka").resolve(KafkaBroker.CREDENTIALS_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials))).isEqualTo("rw-------");

        KafkaBroker second = new KafkaBroker(dataDir, brokerPort, controllerPort, QUIET, ConsoleFilter::problemsOnly);
        try {
            second.start();
            assertThat(second.accessInPlace()).isTrue();
            assertThat(second.clientEnvironment("referral-service"))
                    .containsEntry("KAFKA_SASL_PASSWORD", first.clientEnvironment("referral-service")
                            .get("KAFKA_SASL_PASSWORD"));
            // awaitReady() not called: the service's user, topic and ACL are there as soon as the broker answers.
            try (KafkaProducer<String, String> producer =
                    BrokerClients.producer(second.clientConfig("referral-service"), Duration.ofSeconds(60))) {
                RecordMetadata written = producer.send(new ProducerRecord<>("pathways.referrals", "r-1", "{}"))
                        .get(60, TimeUnit.SECONDS);
                assertThat(written.topic()).isEqualTo("pathways.referrals");
            }
            second.awaitReady();
            // Someone sets a service's password by hand (or another devstack on this storage does).
            try (Admin admin = Admin.create(second.adminConfig())) {
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(PROBED,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "set-by-hand")))
                        .all().get(30, TimeUnit.SECONDS);
            }
        } finally {
            second.stop();
        }

        // The record still matches, but the broker refuses the kept password: the users are set again.
        KafkaBroker afterHand = new KafkaBroker(dataDir, brokerPort, controllerPort, QUIET,
                ConsoleFilter::problemsOnly);
        try {
            afterHand.start();
            assertThat(afterHand.accessInPlace()).isTrue();
            afterHand.awaitReady();
            assertThat(describeCluster(afterHand.clientConfig(PROBED))).isTrue();
        } finally {
            afterHand.stop();
        }

        // The developer deleted the passwords: new ones are made, so the storage must be set up again first.
        Files.delete(credentials);
        KafkaBroker third = new KafkaBroker(dataDir, brokerPort, controllerPort, QUIET, ConsoleFilter::problemsOnly);
        try {
            third.start();
            assertThat(third.accessInPlace()).isFalse();
            third.awaitReady();
            assertThat(third.clientEnvironment("referral-service").get("KAFKA_SASL_PASSWORD"))
                    .isNotEqualTo(first.clientEnvironment("referral-service").get("KAFKA_SASL_PASSWORD"));
            try (KafkaProducer<String, String> producer =
                    BrokerClients.producer(third.clientConfig("referral-service"), Duration.ofSeconds(60))) {
                assertThat(producer.send(new ProducerRecord<>("pathways.referrals", "r-2", "{}"))
                        .get(30, TimeUnit.SECONDS).topic()).isEqualTo("pathways.referrals");
            }
        } finally {
            third.stop();
        }
        // The new passwords are kept for the next start; but a start that recorded nothing came after the record
        // (an older devstack's, which sets new passwords every time): this one sets everything up first.
        Path serverProperties = dataDir.resolve("kafka").resolve("server.properties");
        Files.setLastModifiedTime(serverProperties, FileTime.from(Files.getLastModifiedTime(
                dataDir.resolve("kafka").resolve(KafkaBroker.ACCESS_FILE)).toInstant().plusSeconds(60)));
        KafkaBroker fourth = new KafkaBroker(dataDir, brokerPort, controllerPort, QUIET, ConsoleFilter::problemsOnly);
        assertThat(fourth.clientEnvironment("referral-service"))
                .isEqualTo(third.clientEnvironment("referral-service"));
        try {
            fourth.start();
            assertThat(fourth.accessInPlace()).isFalse();
            fourth.awaitReady();
        } finally {
            fourth.stop();
        }
    }

    /** Whether the broker answers a metadata request authenticated with {@code config}, waiting while it boots. */
    private static boolean describeCluster(Map<String, Object> config) throws InterruptedException {
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        try (Admin admin = Admin.create(config)) {
            for (int attempt = 0; attempt < 30; attempt++) {
                try {
                    return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof SaslAuthenticationException) {
                        return false;
                    }
                } catch (TimeoutException e) {
                    // still booting
                }
                Thread.sleep(500);
            }
        }
        return false;
    }
}
