package org.pathways.notification.retention;

import java.time.Clock;
import java.time.Instant;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.pathways.notification.config.RetentionProperties;
import org.pathways.notification.delivery.DeliveryLog;
import org.pathways.notification.email.EmailNotifications;
import org.pathways.notification.inapp.WorkerInbox;
import org.pathways.notification.subscription.Subscriptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes what the service no longer needs to keep about events ({@code pathways.notifications.retention}): finished
 * webhook deliveries with their event bodies, in-app notifications, finished e-mails and their sent-markers, the
 * records of removed subscriptions. Every
 * {@code purge-interval}, on one instance at a time (ShedLock {@code notification-retention}); a scheduled job rather
 * than TTL indexes, which the embedded store accepts but never applies.
 */
@Component
public class RetentionPurge {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);

    private final DeliveryLog deliveries;
    private final WorkerInbox notifications;
    private final EmailNotifications emails;
    private final Subscriptions subscriptions;
    private final RetentionProperties retention;
    private final Clock clock;

    RetentionPurge(DeliveryLog deliveries, WorkerInbox notifications, EmailNotifications emails,
                   Subscriptions subscriptions, RetentionProperties retention, Clock clock) {
        this.deliveries = deliveries;
        this.notifications = notifications;
        this.emails = emails;
        this.subscriptions = subscriptions;
        this.retention = retention;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${pathways.notifications.retention.purge-interval:1h}",
            initialDelayString = "${pathways.notifications.retention.purge-interval:1h}")
    @SchedulerLock(name = "notification-retention", lockAtMostFor = "PT30M")
    public void purgeOnSchedule() {
        try {
            purgeExpired();
        } catch (RuntimeException e) {
            log.warn("Retention purge failed, retried at the next interval: {}", e.toString());
        }
    }

    /** Deletes everything past its retention now; returns how many documents went. */
    public long purgeExpired() {
        Instant now = clock.instant();
        long deliveriesGone = deliveries.purgeFinishedBefore(now.minus(retention.deliveries()));
        long notificationsGone = notifications.purgeCreatedBefore(now.minus(retention.notifications()));
        long emailsGone = emails.purgeBefore(now.minus(retention.emails()));
        long removedGone = subscriptions.purgeRemovedBefore(now.minus(retention.removedSubscriptions()));
        if (deliveriesGone + notificationsGone + emailsGone + removedGone > 0) {
            log.info("Retention: deleted {} deliveries, {} in-app notifications, {} e-mails and sent-markers, {}"
                    + " records of removed subscriptions", deliveriesGone, notificationsGone, emailsGone, removedGone);
        }
        return deliveriesGone + notificationsGone + emailsGone + removedGone;
    }
}
