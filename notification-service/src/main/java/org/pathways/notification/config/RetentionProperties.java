package org.pathways.notification.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long what the service keeps about events is kept (the feed has its own, {@link FeedProperties}).
 *
 * @param deliveries    finished webhook deliveries (delivered, parked, cancelled) with the event body and attempt log,
 *                      counted from the event's arrival
 * @param notifications in-app notifications, counted from their making
 * @param emails        finished queued e-mails (sent, skipped, failed), counted from the event
 * @param removedSubscriptions the record that a subscription made with an {@code Idempotency-Key} was removed (so
 *                      that the request sent again answers {@code 410}, not the subscription back), counted from
 *                      its removal: a request sent again after that long is a new one
 * @param purgeInterval how often older ones are deleted
 */
@ConfigurationProperties("pathways.notifications.retention")
public record RetentionProperties(@DefaultValue("P90D") Duration deliveries,
                                  @DefaultValue("P90D") Duration notifications,
                                  @DefaultValue("P90D") Duration emails,
                                  @DefaultValue("P90D") Duration removedSubscriptions,
                                  @DefaultValue("1h") Duration purgeInterval) {

    public RetentionProperties {
        if (!deliveries.isPositive() || !notifications.isPositive() || !emails.isPositive()
                || !removedSubscriptions.isPositive() || !purgeInterval.isPositive()) {
            throw new IllegalArgumentException("pathways.notifications.retention.* must be positive durations");
        }
    }
}
