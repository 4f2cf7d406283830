package org.pathways.notification.config;

import java.net.http.HttpClient;

import org.pathways.notification.delivery.RetrySchedule;
import org.pathways.notification.subscription.EndpointPolicy;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/** The pieces of webhook delivery that come from configuration. */
@Configuration
@EnableConfigurationProperties({WebhookProperties.class, NotificationProperties.class})
class WebhookConfiguration {

    @Bean
    EndpointPolicy endpointPolicy(WebhookProperties properties) {
        return new EndpointPolicy(properties.allowPrivateAddresses());
    }

    @Bean
    RetrySchedule retrySchedule(WebhookProperties properties) {
        return new RetrySchedule(properties.retrySchedule(), properties.jitter(), properties.maxRetryAfter());
    }

    /** Never follows redirects: a redirect could lead to an address the endpoint policy would refuse. */
    @Bean
    RestClient webhookClient(RestClient.Builder builder, WebhookProperties properties) {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(properties.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(http);
        requests.setReadTimeout(properties.readTimeout());
        return builder.requestFactory(requests).build();
    }
}
