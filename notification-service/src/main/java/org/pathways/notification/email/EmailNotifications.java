package org.pathways.notification.email;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.pathways.messaging.inbox.RoundTrips;
import org.pathways.messaging.store.UniqueInserts;
import org.pathways.notification.config.DueWatch;
import org.pathways.notification.config.NotificationProperties;
import org.pathways.notification.notice.Notice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DataAccessException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.mail.MailException;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * E-mails to people for notices that need a person: queued with the routing of the event (so a crash loses none),
 * one per worker of the agency who asked for that kind of notice (in their language), or, when none did, one to the
 * agency's contact address (in the agency's language); sent off the consumer's thread over SMTP. Each queued e-mail
 * is claimed with a lease and an owner token ({@link EmailQueue}): the sender renews the lease right before sending
 * and writes the outcome only while it still holds it, the SMTP timeouts end a send well within the lease, and a
 * sent-marker per e-mail keeps a later claimant from sending it again.
 */
@Component
public class EmailNotifications implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(EmailNotifications.class);
    private static final int MAX_ATTEMPTS = 5;
    private static final List<String> SMTP_TIMEOUTS =
            List.of("mail.smtp.connectiontimeout", "mail.smtp.timeout", "mail.smtp.writetimeout");

    private final MongoTemplate mongo;
    private final ObjectProvider<JavaMailSender> mail;
    private final NotificationProperties properties;
    private final Clock clock;
    private final EmailQueue queue;
    /** When a search of the whole queue is worth making: only every minute (nothing is announced to it). */
    private final DueWatch due;
    /**
     * The e-mails this instance queued or put off, by id, with when each is due: claimed by {@code _id}, so sending
     * one costs the same however many e-mails are stored (a search of the queue reads all of them on the embedded
     * store).
     */
    private final Map<String, Instant> known = new ConcurrentHashMap<>();
    /** How often the whole queue is searched for what no one on this instance announced. */
    private static final Duration FULL_SEARCH_EVERY = Duration.ofMinutes(1);

    private final AgencyWorkers workers;

    EmailNotifications(MongoTemplate mongo, ObjectProvider<JavaMailSender> mail, NotificationProperties properties,
                       Clock clock, AgencyWorkers workers) {
        this.mongo = mongo;
        this.workers = workers;
        this.mail = mail;
        this.properties = properties;
        this.clock = clock;
        this.queue = new EmailQueue(mongo, properties.mailLease(), clock);
        this.due = new DueWatch(clock, FULL_SEARCH_EVERY);
    }

    /**
     * Deletes the finished e-mails of events before {@code cutOff} (a pending one is kept until it is sent, skipped or
     * fails) and the sent-markers older than their month. Returns how many documents went.
     */
    public long purgeBefore(Instant cutOff) {
        return queue.purge(cutOff, clock.instant().minus(EmailQueue.MARKER_RETENTION));
    }

    @Override
    public void afterPropertiesSet() {
        queue.createIndexes();
        int agencies = workers.build();
        log.debug("Listed the workers with preferences of {} agencies by agency", agencies);
        mail.ifAvailable(sender -> {
            if (sender instanceof JavaMailSenderImpl smtp) {
                boundSmtpTimeouts(smtp.getJavaMailProperties(), queue.lease());
            }
        });
    }

    /**
     * Lists the workers whose preferences are kept under their agencies again, as at start (repeatable): for
     * preferences written into the store by something other than this service's API (an earlier version). Returns
     * how many agencies have one.
     */
    public int listWorkersByAgency() {
        return workers.build();
    }

    /**
     * Every SMTP wait (connect, read, write) must end well within the lease: without a timeout JavaMail waits
     * forever, and a send that outlived its lease could be made again by another claimant. A missing timeout gets a
     * quarter of the lease; the three together must stay below it.
     */
    static void boundSmtpTimeouts(Properties smtp, Duration lease) {
        long total = 0;
        for (String name : SMTP_TIMEOUTS) {
            String value = smtp.getProperty(name);
            long millis;
            try {
                millis = value == null || value.isBlank() ? -1 : Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                millis = -1;
            }
            if (millis <= 0) {
                millis = lease.toMillis() / 4;
                smtp.setProperty(name, Long.toString(millis));
            }
            total += millis;
        }
        if (total >= lease.toMillis()) {
            throw new IllegalStateException("The SMTP timeouts (" + SMTP_TIMEOUTS + ", " + total + " ms together)"
                    + " must end within pathways.notifications.mail-lease (" + lease + ")");
        }
    }

    /**
     * Queues the e-mails for a notice, once however often it is told: one per worker of the agency who wants this
     * kind of notice, or one to the agency's contact address when no worker does.
     */
    public void queue(Notice notice) {
        queue(notice, true);
    }

    /**
     * Queues the e-mails for a notice to the workers of its agency who want it; to the agency's contact address when
     * none does only if {@code orContactAddress}.
     */
    public void queue(Notice notice, boolean orContactAddress) {
        Batch held = batch.get();
        List<WorkerPreferences> ofAgency;
        if (held != null) {
            if (!held.preferences.containsKey(notice.agencyId())) {
                // The first notice of the batch reads the preferences of every agency the batch expects to tell.
                java.util.Set<String> agencies = new java.util.LinkedHashSet<>(held.expected);
                agencies.add(notice.agencyId());
                held.expected.clear();
                readAhead(agencies);
            }
            ofAgency = held.preferences.get(notice.agencyId());
        } else {
            ofAgency = workers.preferencesOf(List.of(notice.agencyId())).get(notice.agencyId());
        }
        List<String> wanting = ofAgency.stream().filter(worker -> worker.wants(notice.kind()))
                .map(WorkerPreferences::userId).toList();
        if (wanting.isEmpty() && !orContactAddress) {
            return;
        }
        // To the contact address of an agency that has none (as the batch read its settings): nothing to send, so
        // recorded as skipped at once rather than queued for the sender to claim, look up and skip.
        boolean nowhere = wanting.isEmpty() && !(held != null
                ? Boolean.TRUE.equals(held.contactAddress.get(notice.agencyId()))
                : hasContactAddress(notice.agencyId()));
        for (String recipient : wanting.isEmpty() ? List.of(EmailNotification.AGENCY) : wanting) {
            String id = "eml-" + UUID.randomUUID();
            EmailNotification email = new EmailNotification(id, notice.agencyId(), notice.kind(),
                    notice.eventId(), notice.referralId(), recipient, notice.occurredAt(),
                    nowhere ? EmailNotification.Status.SKIPPED : EmailNotification.Status.PENDING, 0, clock.instant(),
                    null, null, null, null, null);
            if (nowhere) {
                log.debug("E-mail {} for agency {} skipped: the agency has no contact address", id,
                        notice.agencyId());
            }
            if (held != null) {
                held.emails.add(email);
            } else {
                queue.add(email);
                if (!nowhere) {
                    known.put(id, clock.instant());
                }
            }
        }
    }

    private boolean hasContactAddress(String agencyId) {
        AgencySettings settings = mongo.findById(agencyId, AgencySettings.class);
        return settings != null && settings.notificationEmail() != null;
    }

    /** What this thread's batch holds back: its e-mails, and the workers' preferences of the agencies it read. */
    private static final class Batch {
        final Map<String, List<WorkerPreferences>> preferences = new HashMap<>();
        /** By agency read, whether it has a contact address (its settings, read with its workers' preferences). */
        final Map<String, Boolean> contactAddress = new HashMap<>();
        /** The agencies whose preferences the batch's first notice reads with its own (see {@link #expect}). */
        final java.util.Set<String> expected = new java.util.LinkedHashSet<>();
        final List<EmailNotification> emails = new ArrayList<>();
    }

    private final ThreadLocal<Batch> batch = new ThreadLocal<>();

    /**
     * From now until {@link #endBatch}, this thread's e-mails are held back until {@link #takeBatch} queues them, and
     * the workers' preferences and the agency's settings are read once per agency in the batch, by {@code _id}
     * ({@link AgencyWorkers}), rather than once per notice.
     */
    public void beginBatch() {
        batch.set(new Batch());
    }

    /**
     * In a batch: the agencies whose workers' preferences the batch's first notice reads along with its own, in one
     * query, when it comes (after that event's webhooks, not before the batch's first webhook).
     */
    public void expect(Collection<String> agencies) {
        Batch held = batch.get();
        if (held != null) {
            held.expected.addAll(agencies);
        }
    }

    /**
     * In a batch: reads the preferences of the workers of these agencies that the batch has not read yet, and whether
     * each has a contact address, at once (by {@code _id}: the agencies' lists of workers, their preferences, the
     * agencies' settings).
     */
    public void readAhead(Collection<String> agencies) {
        readAheadLater(agencies).run();
    }

    /**
     * In a batch: {@link #readAhead} as a read to be made on any thread (at once with the batch's other reads: the
     * agencies' workers' preferences and their settings at once too), into this thread's batch as it is now.
     */
    public Runnable readAheadLater(Collection<String> agencies) {
        Batch held = batch.get();
        if (held == null) {
            return RoundTrips.NONE;
        }
        List<String> unread = agencies.stream().filter(agency -> !held.preferences.containsKey(agency)).distinct()
                .toList();
        if (unread.isEmpty()) {
            return RoundTrips.NONE;
        }
        return () -> {
            Map<String, Boolean> contactAddress = new HashMap<>();
            unread.forEach(agency -> contactAddress.put(agency, false));
            Map<String, List<WorkerPreferences>> preferences = new HashMap<>();
            RoundTrips.atOnce(() -> preferences.putAll(workers.preferencesOf(unread)), List.of(() -> {
                Query settings = unread.size() == 1 ? Query.query(Criteria.where("_id").is(unread.getFirst()))
                        : Query.query(Criteria.where("_id").in(unread));
                settings.fields().include("notificationEmail");
                mongo.find(settings, AgencySettings.class).forEach(agency -> contactAddress.put(agency.agencyId(),
                        agency.notificationEmail() != null));
            }));
            held.preferences.putAll(preferences);
            held.contactAddress.putAll(contactAddress);
        };
    }

    /**
     * The queueing of the e-mails held back so far, in one bulk insert (the unique index refuses those already
     * queued): taken from this thread's batch now and made by the runnable on any thread (at once with the batch's
     * other writes) while this thread waits for it; forgotten only once written ({@link RoundTrips#writeHeld}).
     */
    public Runnable takeBatch() {
        Batch held = batch.get();
        return RoundTrips.writeHeld(held == null ? null : held.emails, emails -> {
            UniqueInserts.insertNew(mongo, EmailNotification.class, emails);
            Instant now = clock.instant();
            // One refused as a duplicate is simply not found when claimed.
            emails.stream().filter(email -> email.status() == EmailNotification.Status.PENDING)
                    .forEach(email -> known.put(email.id(), now));
        });
    }

    /** Forgets what this thread's batch held back (written or not). */
    public void endBatch() {
        batch.remove();
    }

    /**
     * Sends what this instance queued or put off once it is due, claimed by id, and every minute whatever a search
     * of the queue finds (what another instance left behind): not a search of the whole queue per e-mail (see
     * {@link DueWatch}).
     */
    @Scheduled(fixedDelayString = "${pathways.notifications.mail-poll-interval:1s}",
            initialDelayString = "${pathways.notifications.mail-poll-interval:1s}")
    void sendDueOnSchedule() {
        JavaMailSender sender = mail.getIfAvailable();
        if (sender == null) {
            return;
        }
        sendKnown(sender);
        if (due.searchNow()) {
            sendFound(sender);
        }
    }

    /** Sends every e-mail that is due now: those this instance knows of, then whatever a search finds. */
    void sendDue() {
        JavaMailSender sender = mail.getIfAvailable();
        if (sender == null) {
            return;
        }
        sendKnown(sender);
        sendFound(sender);
    }

    /**
     * The e-mails this instance queued or put off whose time has come, each claimed by its id (without reading it
     * first, {@link EmailQueue#claimKnown}), and sent {@value #SEND_BATCH} at a time.
     */
    private void sendKnown(JavaMailSender sender) {
        Instant now = clock.instant();
        List<String> dueIds = new ArrayList<>();
        known.forEach((id, dueAt) -> {
            if (!dueAt.isAfter(now) && known.remove(id, dueAt)) {
                dueIds.add(id);
            }
        });
        for (int from = 0; from < dueIds.size(); from += SEND_BATCH) {
            try {
                List<EmailQueue.Claim> claims = new ArrayList<>();
                for (String id : dueIds.subList(from, Math.min(dueIds.size(), from + SEND_BATCH))) {
                    queue.claimKnown(id, clock.instant()).ifPresent(claims::add);
                }
                send(sender, claims);
            } catch (RuntimeException storeFailed) {
                // Those not reached yet are tried again at the next round (one claimed meanwhile waits for its lease
                // to run out and the search for what was left behind).
                dueIds.subList(from, dueIds.size()).forEach(id -> known.putIfAbsent(id, now));
                throw storeFailed;
            }
        }
    }

    /**
     * Whatever a search of the queue finds due, a page of ids per search, each claimed by id: one read of the queue
     * per {@value #SEARCH_PAGE} e-mails (it was one per e-mail). At most {@value #SEARCH_PAGES} pages per call; the
     * rest waits for the next search.
     */
    private void sendFound(JavaMailSender sender) {
        for (int page = 0; page < SEARCH_PAGES; page++) {
            Instant now = clock.instant();
            List<String> found = queue.dueIds(now, SEARCH_PAGE);
            for (int from = 0; from < found.size(); from += SEND_BATCH) {
                List<EmailQueue.Claim> claims = new ArrayList<>();
                for (String id : found.subList(from, Math.min(found.size(), from + SEND_BATCH))) {
                    queue.claim(id, clock.instant()).ifPresent(claims::add);
                }
                send(sender, claims);
            }
            if (found.size() < SEARCH_PAGE) {
                return;
            }
        }
        due.dueNow();   // more than the pages taken: search again at the next round
    }

    /**
     * How many claimed e-mails are looked up together (their sent markers, the agencies' settings, the workers'
     * preferences: one read by {@code _id} each) before they are sent one by one: few enough that the last is sent
     * well within its lease even when the SMTP server is slow (each send renews its lease right before it anyway).
     */
    static final int SEND_BATCH = 20;

    private static final int SEARCH_PAGE = 100;
    private static final int SEARCH_PAGES = 20;

    /** Where and in which language an e-mail goes; never logged. */
    private record Recipient(String address, String language) {
    }

    /** Where each of the claimed e-mails would go, as read together: the agencies' settings, the workers' preferences. */
    private record Recipients(Map<String, AgencySettings> agencies, Map<String, WorkerPreferences> workers) {

        static Recipients of(MongoTemplate mongo, List<EmailNotification> emails) {
            List<String> agencyIds = emails.stream().filter(EmailNotification::toAgency)
                    .map(EmailNotification::agencyId).distinct().toList();
            List<String> workerIds = emails.stream().filter(email -> !email.toAgency())
                    .map(email -> WorkerPreferences.idOf(email.agencyId(), email.recipientUserId())).distinct()
                    .toList();
            Map<String, AgencySettings> agencies = new HashMap<>();
            if (!agencyIds.isEmpty()) {
                mongo.find(byIds(agencyIds), AgencySettings.class)
                        .forEach(settings -> agencies.put(settings.agencyId(), settings));
            }
            Map<String, WorkerPreferences> workers = new HashMap<>();
            if (!workerIds.isEmpty()) {
                mongo.find(byIds(workerIds), WorkerPreferences.class)
                        .forEach(worker -> workers.put(worker.id(), worker));
            }
            return new Recipients(agencies, workers);
        }

        private static Query byIds(List<String> ids) {
            return ids.size() == 1 ? Query.query(Criteria.where("_id").is(ids.getFirst()))
                    : Query.query(Criteria.where("_id").in(ids));
        }

        Optional<Recipient> of(EmailNotification email) {
            if (email.toAgency()) {
                AgencySettings settings = agencies.get(email.agencyId());
                return settings == null || settings.notificationEmail() == null ? Optional.empty()
                        : Optional.of(new Recipient(settings.notificationEmail(), settings.language()));
            }
            WorkerPreferences worker = workers.get(WorkerPreferences.idOf(email.agencyId(), email.recipientUserId()));
            return worker == null || !worker.wants(email.kind()) ? Optional.empty()
                    : Optional.of(new Recipient(worker.email(), worker.language()));
        }
    }

    /**
     * Sends the claimed e-mails one by one, after one look-up for all of them of what was already sent and of where
     * each goes (three reads by {@code _id}, not three per e-mail).
     */
    private void send(JavaMailSender sender, List<EmailQueue.Claim> claims) {
        if (claims.isEmpty()) {
            return;
        }
        List<EmailNotification> emails = claims.stream().map(EmailQueue.Claim::email).toList();
        java.util.Set<String> sent = queue.alreadySent(emails);
        List<EmailQueue.Claim> toSend = new ArrayList<>();
        for (EmailQueue.Claim claim : claims) {
            if (sent.contains(claim.email().sentKey())) {
                queue.complete(claim, new Update().set("status", EmailNotification.Status.SENT));
                log.info("E-mail {} was already sent by an earlier claimant: not sent again", claim.email().id());
            } else {
                toSend.add(claim);
            }
        }
        if (toSend.isEmpty()) {
            return;
        }
        Recipients recipients = Recipients.of(mongo, toSend.stream().map(EmailQueue.Claim::email).toList());
        toSend.forEach(claim -> send(sender, claim, recipients.of(claim.email())));
    }

    private void send(JavaMailSender sender, EmailQueue.Claim claimed, Optional<Recipient> recipient) {
        EmailQueue.Claim claim = claimed;
        EmailNotification email = claimed.email();
        if (recipient.isEmpty()) {
            queue.complete(claim, new Update().set("status", EmailNotification.Status.SKIPPED));
            log.debug("E-mail {} for agency {} skipped: {}", email.id(), email.agencyId(), email.toAgency()
                    ? "the agency has no contact address" : "the worker no longer wants it");
            return;
        }
        var notice = new Notice(email.kind(), email.agencyId(), email.eventId(), email.referralId(),
                email.occurredAt());
        EmailTemplates.Email words = EmailTemplates.render(notice, recipient.get().language(),
                properties.emailLink(email.kind(), email.referralId()));
        MimeMessage message = sender.createMimeMessage();
        try {
            MimeMessageHelper helper = new MimeMessageHelper(message);
            helper.setFrom(properties.mailFrom());
            helper.setTo(recipient.get().address());
            helper.setSubject(words.subject());
            helper.setText(words.body());
            // Kept by the sender (Spring's JavaMailSenderImpl keeps an explicit Message-ID through saveChanges).
            message.setHeader("Message-ID", messageId(email, properties.mailFrom()));
        } catch (MessagingException e) {
            throw new IllegalStateException("Could not compose e-mail " + email.id(), e);
        }
        int attempts = email.attempts() + 1;
        Optional<EmailQueue.Claim> renewed = queue.renew(claim);
        if (renewed.isEmpty()) {
            known.put(email.id(), clock.instant().plus(queue.lease()));
            log.warn("E-mail {} not sent: its lease ran out or was taken over before the send", email.id());
            return;
        }
        claim = renewed.get();
        try {
            sender.send(message);
        } catch (MailException e) {
            boolean last = attempts >= MAX_ATTEMPTS;
            Instant retryAt = clock.instant().plus(Duration.ofMinutes(1L << Math.min(attempts, 6)));
            if (!last) {
                known.put(email.id(), retryAt);
            }
            boolean written = queue.complete(claim, new Update()
                    .set("status", last ? EmailNotification.Status.FAILED : EmailNotification.Status.PENDING)
                    .set("attempts", attempts)
                    .set("error", e.getClass().getSimpleName())
                    .set("nextAttemptAt", retryAt));
            log.warn("E-mail {} for agency {} not sent (attempt {}): {}{}", email.id(), email.agencyId(), attempts,
                    e.getClass().getSimpleName(), written ? "" : " (its lease was taken over meanwhile)");
            return;
        }
        // Accepted by the SMTP server: from here on, what must not fail is the record of it. Each write is tried a few
        // times (a store that failed over, a lost connection) before the next claimant is left to send it again.
        boolean marked = recorded(email, "sent marker", () -> {
            queue.markSent(email, clock.instant());
            return true;
        });
        final EmailQueue.Claim sent = claim;
        boolean written = recorded(email, "outcome", () -> queue.complete(sent, new Update()
                .set("status", EmailNotification.Status.SENT).set("attempts", attempts)
                .set("sentAt", clock.instant()).set("language", words.language())));
        log.info("E-mail {} of {} sent for agency {} (referral {}, {}){}", email.id(), email.kind(), email.agencyId(),
                email.referralId(), email.toAgency() ? "to its contact address" : "to a worker",
                written ? "" : "; its lease was taken over meanwhile, the sent marker stops a second send");
        if (!marked && !written) {
            // No address here: ids only.
            log.warn("E-mail {} of {} for agency {} was accepted by the SMTP server but could not be recorded as sent:"
                    + " it may be sent again once its lease runs out, with the same Message-ID", email.id(),
                    email.kind(), email.agencyId());
        }
    }

    /**
     * The e-mail's Message-ID, the same at every attempt and for every claimant (derived from what makes it one
     * e-mail, {@link EmailNotification#sentKey}, and no more readable than a random id): a repeat that gets through
     * (see {@link #recorded}) is recognisable as the same message by the receiving mail systems and clients.
     */
    static String messageId(EmailNotification email, String from) {
        int at = from.lastIndexOf('@');
        String domain = at >= 0 && at < from.length() - 1 ? from.substring(at + 1).replace(">", "").trim()
                : "pathways.invalid";
        return "<" + UUID.nameUUIDFromBytes(email.sentKey().getBytes(StandardCharsets.UTF_8)) + ".notice@"
                + domain + ">";
    }

    /**
     * Makes one of the writes recording a sent e-mail, retried on a store failure ({@link #RECORDING}); false when it
     * still failed (logged) or {@code write} said it could not be made.
     */
    private boolean recorded(EmailNotification email, String what, java.util.function.Supplier<Boolean> write) {
        try {
            return RECORDING.executeSupplier(write);
        } catch (DataAccessException e) {
            log.warn("E-mail {}: its {} could not be written after {} attempts ({})", email.id(), what,
                    RECORDING.getRetryConfig().getMaxAttempts(), e.getClass().getSimpleName());
            return false;
        }
    }

    /**
     * The retries of the writes that record a sent e-mail: 4 attempts over about a second and a half (0.2, 0.4,
     * 0.8 s apart), well within the lease, on store failures only.
     */
    private static final Retry RECORDING = Retry.of("email-sent-record", RetryConfig.custom()
            .maxAttempts(4)
            .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(200), 2))
            .retryOnException(DataAccessException.class::isInstance)
            .failAfterMaxAttempts(false)
            .build());
}
