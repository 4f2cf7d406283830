package org.pathways.notification.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long agencies' feeds keep their entries.
 *
 * @param retention     how long an entry stays in its agency's feed after it was recorded ({@code P90D})
 * @param purgeInterval how often entries older than that are deleted
 */
@ConfigurationProperties("pathways.notifications.feed")
public record FeedProperties(@DefaultValue("P90D") Duration retention, @DefaultValue("1h") Duration purgeInterval) {

    public FeedProperties {
        if (!retention.isPositive() || !purgeInterval.isPositive()) {
            throw new IllegalArgumentException(
                    "pathways.notifications.feed.retention and purge-interval must be positive");
        }
    }
}
