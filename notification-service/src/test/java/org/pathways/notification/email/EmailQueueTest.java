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
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.UpdateDefinition;
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
    /** The time the claimants see; each test moves it. */
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final Clock clock = clockOf(now);

    /** Searches of the queue (by status and due time, not by id) sent to the store. */
    private static final java.util.concurrent.atomic.AtomicInteger searches = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeAll
    static void store() {
        client = MongoClients.create(com.mongodb.MongoClientSettings.builder()
                .applyConnectionString(new com.mongodb.ConnectionString(SharedInfrastructure.mongoUri()))
                .addCommandListener(new com.mongodb.event.CommandListener() {
                    @Override
                    public void commandStarted(com.mongodb.event.CommandStartedEvent event) {
                        var command = event.getCommand();
                        String name = event.getCommandName();
                        String filter = name.equals("find") ? "filter" : name.equals("findAndModify") ? "query" : null;
                        if (filter != null && command.getString(name).getValue().equals("emails")
                                && command.getDocument(filter).containsKey("$and")) {
                            searches.incrementAndGet();
                        }
                    }
                }).build());
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
        new EmailQueue(mongo, LEASE, clock).createIndexes();
    }

    @Test
    void ofTwoClaimantsRacingForOneEmailExactlyOneHoldsIt() throws Exception {
        EmailNotification email = queued("evt-race");
        EmailQueue one = new EmailQueue(mongo, LEASE, clock);
        EmailQueue other = new EmailQueue(mongo, LEASE, clock);
        for (int round = 0; round < 10; round++) {
            Instant roundStart = T0.plus(LEASE.multipliedBy(2L * round + 1));   // after the last one's lease
            now.set(roundStart);
            CountDownLatch start = new CountDownLatch(1);
            List<Callable<Optional<EmailQueue.Claim>>> racers = new ArrayList<>();
            for (EmailQueue queue : List.of(one, other)) {
                racers.add(() -> {
                    start.await();
                    return claimDue(queue, roundStart);
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
        EmailQueue slow = new EmailQueue(mongo, LEASE, clock);
        EmailQueue next = new EmailQueue(mongo, LEASE, clock);
        EmailQueue.Claim first = claimDue(slow, T0).orElseThrow();
        now.set(T0.plusSeconds(30));
        assertThat(claimDue(next, now.get())).as("held while the lease runs").isEmpty();

        now.set(T0.plus(LEASE).plusSeconds(1));
        EmailQueue.Claim second = claimDue(next, now.get()).orElseThrow();

        assertThat(second.token()).isNotEqualTo(first.token());
        now.set(T0.plus(LEASE).plusSeconds(2));
        assertThat(slow.renew(first)).as("may not send any more").isEmpty();
        assertThat(slow.complete(first, new Update().set("status", EmailNotification.Status.FAILED)
                .set("attempts", 5))).as("its late outcome is refused").isFalse();
        EmailNotification stored = mongo.findById(first.email().id(), EmailNotification.class);
        assertThat(stored.status()).isEqualTo(EmailNotification.Status.PENDING);
        assertThat(stored.leaseOwner()).isEqualTo(second.token());

        EmailQueue.Claim renewed = next.renew(second).orElseThrow();
        next.markSent(second.email(), T0.plus(LEASE).plusSeconds(3));
        assertThat(next.complete(second, new Update().set("status", EmailNotification.Status.SENT)))
                .as("the token before the renewal no longer fences").isFalse();
        assertThat(next.complete(renewed, new Update().set("status", EmailNotification.Status.SENT))).isTrue();
        stored = mongo.findById(first.email().id(), EmailNotification.class);
        assertThat(stored.status()).isEqualTo(EmailNotification.Status.SENT);
        assertThat(stored.leaseOwner()).isNull();
        assertThat(stored.leaseUntil()).isNull();
    }

    @Test
    void aClaimantThatOutlivedItsLeaseBeforeSendingDoesNotSend() {
        queued("evt-stalled");
        EmailQueue queue = new EmailQueue(mongo, LEASE, clock);
        EmailQueue.Claim claim = claimDue(queue, T0).orElseThrow();

        now.set(T0.plus(LEASE).plusMillis(1));
        assertThat(queue.renew(claim)).as("its lease ran out, even though no one took it over yet").isEmpty();
        assertThat(claimDue(queue, now.get())).as("free for the next claimant").isPresent();
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
            EmailQueue.Claim lost = claimDue(new EmailQueue(mongo, LEASE, clock), T0).orElseThrow();
            new EmailQueue(mongo, LEASE, clock).markSent(lost.email(), T0.plusSeconds(59));
            now.set(T0.plus(LEASE).plusSeconds(1));
            EmailNotifications notifications = notifications(smtp);

            notifications.sendDue();

            assertThat(smtp.getReceivedMessages()).as("not sent a second time").isEmpty();
            EmailNotification stored = mongo.findById(email.id(), EmailNotification.class);
            assertThat(stored.status()).isEqualTo(EmailNotification.Status.SENT);
            assertThat(new EmailQueue(mongo, LEASE, clock).complete(lost, new Update().set("attempts", 9)))
                    .isFalse();

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

    /**
     * The SMTP server accepted an e-mail but the store refused the sent marker for a moment (a fail-over, a lost
     * connection): the write is tried again, so the e-mail is recorded as sent and the next claimant, once the lease
     * ran out, does not send it a second time. (Before, the marker's one failed write left the e-mail pending and
     * unmarked: sent again.)
     */
    @Test
    void aSentMarkerTheStoreRefusesForAMomentIsWrittenOnRetryAndTheEmailIsNotSentAgain() throws Exception {
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        try {
            worker("ana", "ana@college.example");
            EmailNotification email = queued("evt-marker-hiccup");
            StoreFaults faults = new StoreFaults(2, 0);

            notifications(smtp, faults.store()).sendDue();

            assertThat(faults.markersRefused()).isEqualTo(2);
            assertThat(smtp.getReceivedMessages()).hasSize(1);
            assertThat(mongo.findById(email.sentKey(), org.bson.Document.class, EmailQueue.SENT_MARKERS)).isNotNull();
            assertThat(mongo.findById(email.id(), EmailNotification.class).status())
                    .isEqualTo(EmailNotification.Status.SENT);
            now.set(T0.plus(LEASE).plusSeconds(1));
            notifications(smtp, faults.store()).sendDue();
            assertThat(smtp.getReceivedMessages()).as("not sent a second time").hasSize(1);
        } finally {
            smtp.stop();
        }
    }

    /**
     * When the store refuses both records of a sent e-mail (the marker and the outcome) however often tried, a later
     * claimant sends it again: exactly once is impossible across SMTP. The repeat carries the same Message-ID, so the
     * receiver's mail system can recognise it, and the service said so at WARN, with ids only (no address).
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void anEmailTheStoreCannotRecordAsSentIsSentAgainWithTheSameMessageIdAndAWarning(CapturedOutput output)
            throws Exception {
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        try {
            String address = "ana@college.example";
            worker("ana", address);
            EmailNotification email = queued("evt-marker-down");
            StoreFaults faults = new StoreFaults(Integer.MAX_VALUE, Integer.MAX_VALUE);

            notifications(smtp, faults.store()).sendDue();

            assertThat(faults.markersRefused()).as("tried again before giving up").isGreaterThan(1);
            assertThat(smtp.getReceivedMessages()).hasSize(1);
            assertThat(output.getAll()).contains("E-mail " + email.id() + " of REFERRAL_ARRIVED for agency"
                    + " agency-college was accepted by the SMTP server but could not be recorded as sent: it may be"
                    + " sent again");
            // (The test's SMTP server, GreenMail, logs the mailboxes it creates: not ours.)
            assertThat(output.getAll().lines().filter(line -> !line.contains("icegreen.greenmail")))
                    .noneMatch(line -> line.contains(address));

            faults.heal();
            now.set(T0.plus(LEASE).plusSeconds(1));
            notifications(smtp, faults.store()).sendDue();

            jakarta.mail.internet.MimeMessage[] received = smtp.getReceivedMessages();
            assertThat(received).as("sent again by the next claimant").hasSize(2);
            assertThat(received[0].getMessageID()).startsWith("<").endsWith("@localhost>")
                    .isEqualTo(received[1].getMessageID());
            assertThat(mongo.findById(email.id(), EmailNotification.class).status())
                    .isEqualTo(EmailNotification.Status.SENT);

            // Another e-mail gets a Message-ID of its own.
            queued("evt-next-one");
            notifications(smtp, faults.store()).sendDue();
            assertThat(smtp.getReceivedMessages()).hasSize(3);
            assertThat(smtp.getReceivedMessages()[2].getMessageID()).isNotEqualTo(received[0].getMessageID());
        } finally {
            smtp.stop();
        }
    }

    /**
     * The store refusing, as a store fails (a {@code DataAccessResourceFailureException}), the first {@code markers}
     * writes of a sent marker and the first {@code outcomes} writes of a "sent" outcome; everything else goes through.
     */
    private static final class StoreFaults {

        private final java.util.concurrent.atomic.AtomicInteger markers;
        private final java.util.concurrent.atomic.AtomicInteger outcomes;
        private final java.util.concurrent.atomic.AtomicInteger markersRefused =
                new java.util.concurrent.atomic.AtomicInteger();

        StoreFaults(int markers, int outcomes) {
            this.markers = new java.util.concurrent.atomic.AtomicInteger(markers);
            this.outcomes = new java.util.concurrent.atomic.AtomicInteger(outcomes);
        }

        int markersRefused() {
            return markersRefused.get();
        }

        void heal() {
            markers.set(0);
            outcomes.set(0);
        }

        MongoTemplate store() {
            return new MongoTemplate(client, "email-queue-test") {
                @Override
                public <T> T insert(T document, String collection) {
                    if (EmailQueue.SENT_MARKERS.equals(collection) && markers.getAndDecrement() > 0) {
                        markersRefused.incrementAndGet();
                        throw new DataAccessResourceFailureException("Injected: the store refused the sent marker");
                    }
                    return super.insert(document, collection);
                }

                @Override
                public <T> T findAndModify(Query query, UpdateDefinition update, FindAndModifyOptions options,
                                           Class<T> type, String collection) {
                    if (update.getUpdateObject().get("$set") instanceof org.bson.Document set
                            && EmailNotification.Status.SENT.equals(set.get("status"))
                            && outcomes.getAndDecrement() > 0) {
                        throw new DataAccessResourceFailureException("Injected: the store refused the outcome");
                    }
                    return super.findAndModify(query, update, options, type, collection);
                }
            };
        }
    }

    private void worker(String user, String address) {
        mongo.save(new WorkerPreferences(WorkerPreferences.idOf("agency-college", user), "agency-college", user,
                address, "en", java.util.Set.of(NoticeKind.REFERRAL_ARRIVED), T0));
    }

    /**
     * Issue 14: what a search of the queue finds (e-mails another instance left behind) is claimed by id a page at a
     * time. Claimed one search per e-mail, a queue of n left-behind e-mails cost n reads of the whole queue, each
     * holding the collection while the referral consumer queued new ones.
     */
    @Test
    void emailsLeftBehindAreFoundAPageAtATimeAndEachSentOnce() throws Exception {
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        try {
            mongo.save(new WorkerPreferences(WorkerPreferences.idOf("agency-college", "ana"), "agency-college",
                    "ana", "ana@college.example", "en", java.util.Set.of(NoticeKind.REFERRAL_ARRIVED), T0));
            int left = 205;
            for (int i = 0; i < left; i++) {
                queued("evt-left-" + i);
            }
            EmailNotifications notifications = notifications(smtp);
            searches.set(0);

            notifications.sendDue();

            assertThat(smtp.getReceivedMessages()).hasSize(left);
            assertThat(mongo.findAll(EmailNotification.class)).extracting(EmailNotification::status)
                    .containsOnly(EmailNotification.Status.SENT);
            assertThat(searches.get()).as("searches of the queue: one per page of 100").isEqualTo(3);
            notifications.sendDue();
            assertThat(smtp.getReceivedMessages()).as("none sent twice").hasSize(left);
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

    private EmailNotifications notifications(GreenMail smtp) {
        return notifications(smtp, mongo);
    }

    private EmailNotifications notifications(GreenMail smtp, MongoTemplate mongo) {
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("127.0.0.1");
        sender.setPort(smtp.getSmtp().getPort());
        StaticListableBeanFactory beans = new StaticListableBeanFactory(Map.of("mail", sender));
        EmailNotifications notifications = new EmailNotifications(mongo, beans.getBeanProvider(JavaMailSender.class),
                new NotificationProperties("agency-coordinator", "https://pathways.example", "pathways@localhost",
                        Duration.ofSeconds(1), LEASE), clock, new AgencyWorkers(mongo));
        notifications.afterPropertiesSet();
        return notifications;
    }

    private static Clock clockOf(AtomicReference<Instant> now) {
        return new Clock() {
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
    }

    /** The e-mail due longest that this claimant wins, found as the sender finds them (ids by search, claimed by id). */
    private static Optional<EmailQueue.Claim> claimDue(EmailQueue queue, Instant now) {
        for (String id : queue.dueIds(now, 10)) {
            Optional<EmailQueue.Claim> claim = queue.claim(id, now);
            if (claim.isPresent()) {
                return claim;
            }
        }
        return Optional.empty();
    }

    private static EmailNotification queued(String eventId) {
        EmailNotification email = new EmailNotification("eml-" + eventId, "agency-college",
                NoticeKind.REFERRAL_ARRIVED, eventId, "ref-" + eventId, "ana", T0, EmailNotification.Status.PENDING,
                0, T0, null, null, null, null, null);
        mongo.insert(email);
        return email;
    }
}
