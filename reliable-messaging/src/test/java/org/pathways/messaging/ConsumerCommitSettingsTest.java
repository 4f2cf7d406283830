package org.pathways.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.binder.Binding;
import org.springframework.cloud.stream.binding.BindingService;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.test.util.ReflectionTestUtils;

/**
 * Every binding's consumer, as the binder built it from the shared settings (pathways-messaging.yml): offsets are
 * committed once 100 records were processed or a second has passed, not after every poll, and an empty fetch waits at
 * the broker up to 5 s (answered as soon as a record arrives). The binder takes the first from Spring Boot's listener
 * properties, which a binder upgrade could stop doing: then every consumer would again wait for a commit after each
 * poll at a trickle, and the broker write each one.
 */
class ConsumerCommitSettingsTest extends MessagingServiceTest {

    @Autowired
    BindingService bindings;

    @Test
    void recordAndBatchBindingsCommitByCountOrTimeAndLongPollEmptyFetches() {
        for (String binding : List.of("learnerEvents-in-0", "batchEvents-in-0")) {
            AbstractMessageListenerContainer<?, ?> container = container(binding);
            ContainerProperties properties = container.getContainerProperties();
            assertThat(properties.getAckMode()).as(binding).isEqualTo(ContainerProperties.AckMode.COUNT_TIME);
            assertThat(properties.getAckCount()).as(binding).isEqualTo(100);
            assertThat(properties.getAckTime()).as(binding).isEqualTo(1_000L);
            ConsumerFactory<?, ?> consumers =
                    (ConsumerFactory<?, ?>) ReflectionTestUtils.getField(container, "consumerFactory");
            assertThat(String.valueOf(consumers.getConfigurationProperties().get("fetch.max.wait.ms")))
                    .as(binding).isEqualTo("5000");
        }
    }

    private AbstractMessageListenerContainer<?, ?> container(String name) {
        List<Binding<?>> consumers = bindings.getConsumerBindings(name);
        assertThat(consumers).as("bindings named %s", name).hasSize(1);
        Object adapter = ReflectionTestUtils.getField(consumers.getFirst(), "lifecycle");
        return (AbstractMessageListenerContainer<?, ?>) ReflectionTestUtils.getField(adapter,
                "messageListenerContainer");
    }
}
