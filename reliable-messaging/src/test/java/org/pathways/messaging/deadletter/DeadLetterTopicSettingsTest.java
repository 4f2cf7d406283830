package org.pathways.messaging.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.junit.jupiter.api.Test;
import org.pathways.messaging.broker.BrokerSecurity;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.mock.env.MockEnvironment;

/**
 * The dead letters' clients are made the way the service's environment says its Kafka clients connect: on a secured
 * broker as the service's own principal (what {@link BrokerSecurity} puts into {@code spring.kafka.*}), at the
 * binder's brokers, in no consumer group and with no client or transactional id of the service's other clients.
 */
class DeadLetterTopicSettingsTest {

    @Test
    void itsConsumerAndProducerConnectAsTheServiceToTheBindersBrokers() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.application.name", "notification-service")
                .withProperty("spring.cloud.stream.kafka.binder.brokers", "broker-1:9092,broker-2:9092")
                .withProperty("spring.kafka.consumer.group-id", "someone-elses-group")
                .withProperty("spring.kafka.client-id", "the-services-client")
                .withProperty("spring.kafka.producer.transaction-id-prefix", "tx-")
                .withProperty("KAFKA_SASL_USERNAME", "notification-service")
                .withProperty("KAFKA_SASL_PASSWORD", "its-password");
        new BrokerSecurity().postProcessEnvironment(environment, null);
        KafkaProperties kafka = Binder.get(environment).bind("spring.kafka", KafkaProperties.class)
                .orElseGet(KafkaProperties::new);
        DeadLetterTopic topic = new DeadLetterAutoConfiguration().deadLetterTopic(environment,
                new DeadLetterProperties(true, Duration.ofSeconds(10), Duration.ofMinutes(1)), kafka);

        assertThat(topic.name()).isEqualTo("pathways.dlq.notification-service");
        for (Map<String, Object> config : new Map[] {topic.consumerConfig(), topic.producerConfig()}) {
            assertThat(config)
                    .containsEntry(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "broker-1:9092,broker-2:9092")
                    .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT")
                    .containsEntry(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512")
                    .doesNotContainKeys(CommonClientConfigs.CLIENT_ID_CONFIG);
            assertThat(String.valueOf(config.get(SaslConfigs.SASL_JAAS_CONFIG)))
                    .contains("username=\"notification-service\"");
        }
        assertThat(topic.consumerConfig()).doesNotContainKeys(ConsumerConfig.GROUP_ID_CONFIG)
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        assertThat(topic.producerConfig()).doesNotContainKeys(ProducerConfig.TRANSACTIONAL_ID_CONFIG)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all");
        topic.destroy();
    }
}
