package org.pathways.notification.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pathways.notification.config.NotificationProperties;
import org.pathways.notification.notice.NoticeKind;
import org.pathways.testing.SharedInfrastructure;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * The e-mail queue's fencing, at the store (the shared MongoDB-wire store): claimants race for an e-mail, a claimant
 * whose lease ran out can neither send nor write its outcome over the next one's, and an e-mail already sent is not
 * sent again by a later claimant (real SMTP, GreenMail).
 */
class EmailQueueTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static MongoClient client;
    private static MongoTemplate mongo;

    @BeforeAll
    static void store() {
        client = MongoClients.create(SharedInfrastructure.mongoUri());
        mongo = new MongoTemplate(client, "email-queue-test");
    }

    @AfterAll
    static void closeStore() {
        client.close();
    }

    @BeforeEach
    void empty() {
        mongo.remove(new Query(), EmailNotification.class);
        mongo.remove(new Query(), EmailQueue.SENT_MARKERS);
        new EmailQueue(mongo, LEASE).createIndexes();
    }

    @Test
    void ofTwoClaimantsRacingForOneEmailExactlyOneHoldsIt() throws Exception {
        EmailNotification email = queued("evt-race");
        EmailQueue one = new EmailQueue(mongo, LEASE);
        EmailQueue other = new EmailQueue(mongo, LEASE);
        for (int round = 0; round < 10; round++) {
            Instant now = T0.plus(LEASE.multipliedBy(2L * round + 1));   // each round after the last one's lease
            CountDownLatch start = new CountDownLatch(1);
            List<Callable<Optional<EmailQueue.Claim>>> racers = new ArrayList<>();
            for (EmailQueue queue : List.of(one, other)) {
                racers.add(() -> {
                    start.await();
                    return queue.claimDue(now);
                });
            }
            try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
                List<Future<Optional<EmailQueue.Claim>>> results = racers.stream().map(threads::submit).toList();
                start.countDown();
                List<EmailQueue.Claim> claims = new ArrayList<>();
                for (Future<Optional<EmailQueue.Claim>> result : results) {
                    result.get().ifPresent(claims::add);
                }
                assertThat(claims).as("round %d", round).singleElement()
                        .satisfies(c -> assertThat(c.email().id()).isEqualTo(email.id()));
            }
        }
    }

    @Test
    void aClaimantWhoseLeaseRanOutAndWasTakenOverCanNeitherSendNorWriteItsOutcome() {
        queued("evt-slow");
        EmailQueue slow = new EmailQueue(mongo, LEASE);
        EmailQueue next = new EmailQueue(mongo, LEASE);
        EmailQueue.Claim first = slow.claimDue(T0).orElseThrow();
        assertThat(next.claimDue(T0.plusSeconds(30))).as("held while the lease runs").isEmpty();

        EmailQueue.Claim second = next.claimDue(T0.plus(LEASE).plusSeconds(1)).orElseThrow();

        assertThat(second.token()).isNotEqualTo(first.token());
        assertThat(slow.renew(first, T0.plus(LEASE).plusSeconds(2))).as("may not send any more").isFalse();
        assertThat(slow.complete(first, new Update().set("status", EmailNotification.Status.FAILED)
                .set("attempts", 5))).as("its late outcome is refused").isFalse();
        EmailNotification stored = mongo.findById(first.email().id(), EmailNotification.class);
        assertThat(stored.status()).isEqualTo(EmailNotification.Status.PENDING);
        assertThat(stored.leaseOwner()).isEqualTo(second.token());

        assertThat(next.renew(second, T0.plus(LEASE).plusSeconds(2))).isTrue();
        next.markSent(second.email(), T0.plus(LEASE).plusSeconds(3));
        assertThat(next.complete(second, new Update().set("status", EmailNotification.Status.SENT))).isTrue();
        stored = mongo.findById(first.email().id(), EmailNotification.class);
        assertThat(stored.status()).isEqualTo(EmailNotification.Status.SENT);
        assertThat(stored.leaseOwner()).isNull();
        assertThat(stored.leaseUntil()).isNull();
    }

    @Test
    void aClaimantThatOutlivedItsLeaseBeforeSendingDoesNotSend() {
        queued("evt-stalled");
        EmailQueue queue = new EmailQueue(mongo, LEASE);
        EmailQueue.Claim claim = queue.claimDue(T0).orElseThrow();

        assertThat(queue.renew(claim, T0.plus(LEASE).plusMillis(1)))
                .as("its lease ran out, even though no one took it over yet").isFalse();
        assertThat(queue.claimDue(T0.plus(LEASE).plusMillis(1))).as("free for the next claimant").isPresent();
    }

    @Test
    void anEmailSentByAClaimantThatLostItsLeaseIsNotSentAgainByTheNext() throws Exception {
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        try {
            String address = "ana@college.example";
            mongo.save(new WorkerPreferences(WorkerPreferences.idOf("agency-college", "ana"), "agency-college",
                    "ana", address, "cy", java.util.Set.of(NoticeKind.REFERRAL_ARRIVED), T0));
            EmailNotification email = queued("evt-sent-once");
            // The first claimant sent it and then lost its lease before writing the outcome.
            EmailQueue.Claim lost = new EmailQueue(mongo, LEASE).claimDue(T0).orElseThrow();
            new EmailQueue(mongo, LEASE).markSent(lost.email(), T0.plusSeconds(59));
            AtomicReference<Instant> now = new AtomicReference<>(T0.plus(LEASE).plusSeconds(1));
            EmailNotifications notifications = notifications(smtp, now);

            notifications.sendDue();

            assertThat(smtp.getReceivedMessages()).as("not sent a second time").isEmpty();
            EmailNotification stored = mongo.findById(email.id(), EmailNotification.class);
            assertThat(stored.status()).isEqualTo(EmailNotification.Status.SENT);
            assertThat(new EmailQueue(mongo, LEASE).complete(lost, new Update().set("attempts", 9))).isFalse();

            // The same worker's e-mail for another event is sent, in their language, once.
            queued("evt-next");
            notifications.sendDue();
            assertThat(smtp.getReceivedMessages()).singleElement()
                    .satisfies(m -> assertThat(m.getSubject()).startsWith("Pathways: mae atgyfeiriad"));
            notifications.sendDue();
            assertThat(smtp.getReceivedMessages()).hasSize(1);
        } finally {
            smtp.stop();
        }
    }

    @Test
    void smtpTimeoutsAreBoundedByTheLease() {
        Properties none = new Properties();
        EmailNotifications.boundSmtpTimeouts(none, LEASE);
        assertThat(none).containsEntry("mail.smtp.timeout", "15000").containsEntry("mail.smtp.connectiontimeout",
                "15000").containsEntry("mail.smtp.writetimeout", "15000");

        Properties tooLong = new Properties();
        tooLong.putAll(Map.of("mail.smtp.timeout", "30000", "mail.smtp.connectiontimeout", "20000",
                "mail.smtp.writetimeout", "10000"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EmailNotifications.boundSmtpTimeouts(tooLong, LEASE))
                .isInstanceOf(IllegalStateException.class);
    }

    private EmailNotifications notifications(GreenMail smtp, AtomicReference<Instant> now) {
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("127.0.0.1");
        sender.setPort(smtp.getSmtp().getPort());
        StaticListableBeanFactory beans = new StaticListableBeanFactory(Map.of("mail", sender));
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        EmailNotifications notifications = new EmailNotifications(mongo, beans.getBeanProvider(JavaMailSender.class),
                new NotificationProperties("agency-coordinator", "https://pathways.example", "pathways@localhost",
                        Duration.ofSeconds(1), LEASE), clock);
        notifications.afterPropertiesSet();
        return notifications;
    }

    private static EmailNotification queued(String eventId) {
        EmailNotification email = new EmailNotification("eml-" + eventId, "agency-college",
                NoticeKind.REFERRAL_ARRIVED, eventId, "ref-" + eventId, "ana", T0, EmailNotification.Status.PENDING,
                0, T0, null, null, null, null, null);
        mongo.insert(email);
        return email;
    }
}
