package org.pathways.notification.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long agencies' feeds keep their entries.
 *
 * @param retention     how long an entry stays in its agency's feed after it was recorded ({@code P90D})
 * @param purgeInterval how often entries older than that are deleted
 * @param reservationLease how long readers wait for a writer that took numbers and has not written them; after it, a
 *                      reader fills the numbers with gaps and reads on, and the writer numbers its entries again
 */
@ConfigurationProperties("pathways.notifications.feed")
public record FeedProperties(@DefaultValue("P90D") Duration retention, @DefaultValue("1h") Duration purgeInterval,
                             @DefaultValue("30s") Duration reservationLease) {

    public FeedProperties {
        if (!retention.isPositive() || !purgeInterval.isPositive() || !reservationLease.isPositive()) {
            throw new IllegalArgumentException(
                    "pathways.notifications.feed.retention, purge-interval and reservation-lease must be positive");
        }
    }
}
