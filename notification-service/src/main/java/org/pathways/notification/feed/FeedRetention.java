package org.pathways.notification.feed;

import java.time.Clock;

import org.pathways.notification.config.FeedProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes feed entries older than the retention ({@code pathways.notifications.feed.retention}), every
 * {@code purge-interval}. It needs no lock (unlike {@code RetentionPurge}): every instance may run it, and
 * two purges at once are harmless (each agency's watermark only ever rises, with {@code $max}, and deleting what is
 * already deleted does nothing).
 */
@Component
class FeedRetention {

    private static final Logger log = LoggerFactory.getLogger(FeedRetention.class);

    private final AgencyFeed feed;
    private final FeedProperties properties;
    private final Clock clock;

    FeedRetention(AgencyFeed feed, FeedProperties properties, Clock clock) {
        this.feed = feed;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${pathways.notifications.feed.purge-interval:1h}",
            initialDelayString = "${pathways.notifications.feed.purge-interval:1h}")
    void purgeExpired() {
        try {
            long deleted = feed.purgeRecordedBefore(clock.instant().minus(properties.retention()));
            if (deleted > 0) {
                log.info("Feed retention: deleted {} entries older than {}", deleted, properties.retention());
            }
        } catch (RuntimeException e) {
            log.warn("Feed retention purge failed, retried at the next interval: {}", e.toString());
        }
    }
}
