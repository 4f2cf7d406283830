package org.pathways.notification.subscription;

import org.pathways.notification.config.WebhookProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The pieces of subscriptions that come from configuration. */
@Configuration
class SubscriptionConfiguration {

    @Bean
    EndpointPolicy endpointPolicy(WebhookProperties properties) {
        return new EndpointPolicy(properties.allowPrivateAddresses());
    }

    /** The keys webhook secrets are sealed under; a service without one refuses to start. */
    @Bean
    SecretKeyRing secretKeyRing(WebhookProperties properties) {
        return SecretKeyRing.of(properties.secretKeys());
    }
}
