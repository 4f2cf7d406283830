package org.pathways.notification.delivery;

import okhttp3.OkHttpClient;
import org.pathways.notification.config.WebhookProperties;
import org.pathways.notification.subscription.EndpointPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The pieces of webhook delivery that come from configuration. */
@Configuration
class DeliveryConfiguration {

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
