package org.pathways.notification.config;

import org.pathways.notification.delivery.RetrySchedule;
import org.pathways.notification.delivery.WebhookSender;
import org.pathways.notification.subscription.EndpointPolicy;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import okhttp3.OkHttpClient;

/** The pieces of webhook delivery that come from configuration. */
@Configuration
@EnableConfigurationProperties({WebhookProperties.class, NotificationProperties.class, FeedProperties.class})
class WebhookConfiguration {

    @Bean
    EndpointPolicy endpointPolicy(WebhookProperties properties) {
        return new EndpointPolicy(properties.allowPrivateAddresses());
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
