package org.pathways.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pathways.messaging.broker.BrokerSecurity;
import org.pathways.messaging.inbox.RecordDeadLetters;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.mock.env.MockEnvironment;

/**
 * A batch consumer's dead-letter producer connects as the service's other clients do: with every setting the service
 * gives under {@code spring.kafka.*}, not a hand-picked few (a missing security protocol once left it speaking
 * plaintext to a SASL broker until it timed out).
 */
class DeadLetterProducerSettingsTest {

    private static Map<String, Object> deadLetterProducer(MockEnvironment environment) {
        KafkaProperties kafka = Binder.get(environment).bindOrCreate("spring.kafka", KafkaProperties.class);
        RecordDeadLetters deadLetters = new ReliableMessagingAutoConfiguration().recordDeadLetters(environment, kafka);
        try {
            return deadLetters.producerConfiguration();
        } finally {
            deadLetters.destroy();
        }
    }

    @Test
    void sslSettingsGivenOnlyAsSpringKafkaPropertiesReachTheDeadLetterProducer() {
        Map<String, Object> producer = deadLetterProducer(new MockEnvironment()
                .withProperty("spring.application.name", "notification-service")
                .withProperty("spring.cloud.stream.kafka.binder.brokers", "kafka-1:9093,kafka-2:9093")
                .withProperty("spring.kafka.security.protocol", "SSL")
                .withProperty("spring.kafka.ssl.trust-store-location", "file:/etc/kafka-ca/truststore.p12")
                .withProperty("spring.kafka.ssl.trust-store-type", "PKCS12")
                .withProperty("spring.kafka.ssl.trust-store-password", "changeit")
                .withProperty("spring.kafka.producer.acks", "1"));

        assertThat(producer)
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.location", "/etc/kafka-ca/truststore.p12")
                .containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("ssl.truststore.password", "changeit")
                // Where the binder connects; and a dead letter is only left behind once every replica has it.
                .containsEntry("bootstrap.servers", "kafka-1:9093,kafka-2:9093")
                .containsEntry("acks", "all");
    }

    @Test
    void theBrokersSaslSettingsFromTheEnvironmentReachTheDeadLetterProducer() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.application.name", "progression-service")
                .withProperty("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .withProperty("KAFKA_SASL_USERNAME", "progression-service")
                .withProperty("KAFKA_SASL_PASSWORD", "secret")
                .withProperty("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka-ca/ca.crt");
        new BrokerSecurity().postProcessEnvironment(environment, null);

        Map<String, Object> producer = deadLetterProducer(environment);

        assertThat(producer)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka-ca/ca.crt")
                .containsEntry("ssl.truststore.type", "PEM");
        assertThat((String) producer.get("sasl.jaas.config")).contains("username=\"progression-service\"");
    }
}
