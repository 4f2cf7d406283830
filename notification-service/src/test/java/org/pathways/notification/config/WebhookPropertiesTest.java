package org.pathways.notification.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class WebhookPropertiesTest {

    private static WebhookProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("pathways.webhooks", WebhookProperties.class);
    }

    @Test
    void byDefaultPrivateAddressesAreRefusedAndTheStandardScheduleAndTimeoutsApply() {
        WebhookProperties defaults = bind(Map.of());
        assertThat(defaults.allowPrivateAddresses()).isFalse();
        assertThat(defaults.retrySchedule()).containsExactly(Duration.ZERO, Duration.ofSeconds(5),
                Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5),
                Duration.ofHours(10), Duration.ofHours(10));
        assertThat(defaults.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(defaults.readTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.concurrency()).isEqualTo(64);
        assertThat(defaults.perEndpointConcurrency()).isEqualTo(4);
        assertThat(defaults.breaker()).isEqualTo(new WebhookProperties.Breaker(10, 5, 50, Duration.ofSeconds(30)));
        assertThat(defaults.secretGrace()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void theScheduleIsConfigurable() {
        WebhookProperties shortOne = bind(Map.of("pathways.webhooks.retry-schedule", "0ms,200ms,400ms,800ms",
                "pathways.webhooks.allow-private-addresses", "true"));
        assertThat(shortOne.retrySchedule()).containsExactly(Duration.ZERO, Duration.ofMillis(200),
                Duration.ofMillis(400), Duration.ofMillis(800));
        assertThat(shortOne.allowPrivateAddresses()).isTrue();
    }

    @Test
    void refusesALeaseShorterThanAnAttempt() {
        assertThatThrownBy(() -> bind(Map.of("pathways.webhooks.lease", "3s"))).isInstanceOf(BindException.class);
    }
}
