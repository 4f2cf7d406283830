package org.pathways.notification.email;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.pathways.notification.config.NotificationProperties;
import org.pathways.notification.notice.Notice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.MongoPersistentEntityIndexResolver;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * E-mails to agencies for notices that need a person: queued with the routing of the event (so a crash loses none),
 * sent off the consumer's thread over SMTP to the agency's contact address, in its language. A queued e-mail is
 * claimed with a lease, so across instances each is sent once (at least once if an instance dies mid-send).
 */
@Component
public class EmailNotifications implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(EmailNotifications.class);
    private static final int MAX_ATTEMPTS = 5;
    private static final Duration LEASE = Duration.ofSeconds(60);

    private final MongoTemplate mongo;
    private final ObjectProvider<JavaMailSender> mail;
    private final NotificationProperties properties;
    private final Clock clock;

    EmailNotifications(MongoTemplate mongo, ObjectProvider<JavaMailSender> mail, NotificationProperties properties,
                       Clock clock) {
        this.mongo = mongo;
        this.mail = mail;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public void afterPropertiesSet() {
        var indexes = mongo.indexOps(EmailNotification.class);
        new MongoPersistentEntityIndexResolver(mongo.getConverter().getMappingContext())
                .resolveIndexFor(EmailNotification.class).forEach(indexes::createIndex);
    }

    /** Queues the e-mail for a notice, once however often it is told. */
    public void queue(Notice notice) {
        if (mongo.exists(Query.query(Criteria.where("agencyId").is(notice.agencyId())
                .and("eventId").is(notice.eventId()).and("kind").is(notice.kind())), EmailNotification.class)) {
            return;
        }
        Instant now = clock.instant();
        try {
            mongo.insert(new EmailNotification("eml-" + UUID.randomUUID(), notice.agencyId(), notice.kind(),
                    notice.eventId(), notice.referralId(), notice.occurredAt(), EmailNotification.Status.PENDING, 0,
                    now, null, null, null, null));
        } catch (DuplicateKeyException alreadyThere) {
            // queued twice at once
        }
    }

    @Scheduled(fixedDelayString = "${pathways.notifications.mail-poll-interval:1s}",
            initialDelayString = "${pathways.notifications.mail-poll-interval:1s}")
    void sendDue() {
        JavaMailSender sender = mail.getIfAvailable();
        if (sender == null) {
            return;
        }
        EmailNotification email;
        while ((email = claimDue()) != null) {
            send(sender, email);
        }
    }

    private EmailNotification claimDue() {
        Instant now = clock.instant();
        Query due = Query.query(Criteria.where("status").is(EmailNotification.Status.PENDING)
                        .and("nextAttemptAt").lte(now)
                        .orOperator(Criteria.where("leaseUntil").is(null), Criteria.where("leaseUntil").lt(now)))
                .with(Sort.by("nextAttemptAt"));
        return mongo.findAndModify(due, new Update().set("leaseUntil", now.plus(LEASE)),
                FindAndModifyOptions.options().returnNew(true), EmailNotification.class);
    }

    private void send(JavaMailSender sender, EmailNotification email) {
        AgencySettings settings = mongo.findById(email.agencyId(), AgencySettings.class);
        Update outcome = new Update().unset("leaseUntil");
        if (settings == null || settings.notificationEmail() == null) {
            mongo.updateFirst(byId(email), outcome.set("status", EmailNotification.Status.SKIPPED),
                    EmailNotification.class);
            log.info("E-mail {} for agency {} skipped: the agency has no contact address", email.id(),
                    email.agencyId());
            return;
        }
        var notice = new Notice(email.kind(), email.agencyId(), email.eventId(), email.referralId(),
                email.occurredAt());
        EmailTemplates.Email words = EmailTemplates.render(notice, settings.language(),
                properties.referralLink(email.referralId()));
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom(properties.mailFrom());
        message.setTo(settings.notificationEmail());
        message.setSubject(words.subject());
        message.setText(words.body());
        int attempts = email.attempts() + 1;
        try {
            sender.send(message);
            mongo.updateFirst(byId(email), outcome.set("status", EmailNotification.Status.SENT)
                    .set("attempts", attempts).set("sentAt", clock.instant()).set("language", settings.language()),
                    EmailNotification.class);
            log.info("E-mail {} of {} sent for agency {} (referral {})", email.id(), email.kind(), email.agencyId(),
                    email.referralId());
        } catch (MailException e) {
            boolean last = attempts >= MAX_ATTEMPTS;
            mongo.updateFirst(byId(email), outcome
                    .set("status", last ? EmailNotification.Status.FAILED : EmailNotification.Status.PENDING)
                    .set("attempts", attempts)
                    .set("error", e.getClass().getSimpleName())
                    .set("nextAttemptAt", clock.instant().plus(Duration.ofMinutes(1L << Math.min(attempts, 6)))),
                    EmailNotification.class);
            log.warn("E-mail {} for agency {} not sent (attempt {}): {}", email.id(), email.agencyId(), attempts,
                    e.getClass().getSimpleName());
        }
    }

    private static Query byId(EmailNotification email) {
        return Query.query(Criteria.where("_id").is(email.id()));
    }
}
