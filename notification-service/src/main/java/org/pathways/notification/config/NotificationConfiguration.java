package org.pathways.notification.config;

import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.mongo.MongoLockProvider;
import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * What every feature shares: the service's configuration properties and ShedLock. The beans a feature makes from them
 * live in that feature ({@code SubscriptionConfiguration}, {@code DeliveryConfiguration}), so that this package
 * depends on none of the features that use it (no package cycle, issue 18).
 */
@Configuration
@EnableSchedulerLock(defaultLockAtMostFor = "PT10M")
@EnableConfigurationProperties({WebhookProperties.class, NotificationProperties.class, FeedProperties.class,
        RetentionProperties.class})
class NotificationConfiguration {

    /** ShedLock for the scheduled work that one instance at a time should do, its locks in {@code shedLock}. */
    @Bean
    LockProvider lockProvider(MongoTemplate mongo) {
        return new MongoLockProvider(mongo.getDb());
    }
}
