package org.pathways.notification.config;

import org.pathways.notification.delivery.RetrySchedule;
import org.pathways.notification.delivery.WebhookSender;
import org.pathways.notification.subscription.EndpointPolicy;
import org.pathways.notification.subscription.SecretKeyRing;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.mongo.MongoLockProvider;
import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import okhttp3.OkHttpClient;

/** The pieces of webhook delivery that come from configuration. */
@Configuration
@EnableSchedulerLock(defaultLockAtMostFor = "PT10M")
@EnableConfigurationProperties({WebhookProperties.class, NotificationProperties.class, FeedProperties.class,
        RetentionProperties.class})
class WebhookConfiguration {

    @Bean
    EndpointPolicy endpointPolicy(WebhookProperties properties) {
        return new EndpointPolicy(properties.allowPrivateAddresses());
    }

    /** The keys webhook secrets are sealed under; a service without one refuses to start. */
    @Bean
    SecretKeyRing secretKeyRing(WebhookProperties properties) {
        return SecretKeyRing.of(properties.secretKeys());
    }

    /** ShedLock for the scheduled work that one instance at a time should do, its locks in {@code shedLock}. */
    @Bean
    LockProvider lockProvider(MongoTemplate mongo) {
        return new MongoLockProvider(mongo.getDb());
    }

    @Bean
    RetrySchedule retrySchedule(WebhookProperties properties) {
        return new RetrySchedule(properties.retrySchedule(), properties.jitter(), properties.maxRetryAfter());
    }

    /** The webhook client (see {@link WebhookSender#client}). */
    @Bean(destroyMethod = "")
    OkHttpClient webhookClient(EndpointPolicy endpoints, WebhookProperties properties) {
        return WebhookSender.client(endpoints, properties.connectTimeout(), properties.readTimeout());
    }
}
