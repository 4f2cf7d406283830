package org.pathways.messaging.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.pathways.messaging.config.MessagingProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/** One send of the relay must end within its lease, with the settings every service imports. */
class ProducerBoundsTest {

    private static StandardEnvironment platformSettings() throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        new YamlPropertySourceLoader().load("pathways-messaging", new ClassPathResource("pathways-messaging.yml"))
                .forEach(environment.getPropertySources()::addLast);
        return environment;
    }

    @Test
    void thePlatformsProducerSettingsEndASendWellWithinTheDefaultLease() throws IOException {
        StandardEnvironment environment = platformSettings();
        Duration lease = Binder.get(environment).bindOrCreate("pathways.messaging", MessagingProperties.class)
                .outbox().lease();

        ProducerBounds bounds = ProducerBounds.of(environment);

        assertThat(lease).isEqualTo(Duration.ofSeconds(30));
        assertThat(bounds.longestSend()).isEqualTo(Duration.ofSeconds(15));
        assertThat(bounds.requestTimeout()).isLessThanOrEqualTo(bounds.deliveryTimeout());
        bounds.requireWithin(lease);
    }

    @Test
    void kafkasOwnDefaultsWouldOutliveTheLeaseAndAreRefused() {
        ProducerBounds defaults = ProducerBounds.of(new StandardEnvironment());

        assertThat(defaults.longestSend()).isEqualTo(Duration.ofSeconds(180));
        assertThatThrownBy(() -> defaults.requireWithin(Duration.ofSeconds(30)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("max.block.ms + delivery.timeout.ms");
    }
}
