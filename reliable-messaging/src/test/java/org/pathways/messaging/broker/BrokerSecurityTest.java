package org.pathways.messaging.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.Map;

import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class BrokerSecurityTest {

    @Test
    void leavesAPlaintextBrokerAlone() {
        assertThat(BrokerSecurity.clientProperties(new MockEnvironment())).isEmpty();
    }

    @Test
    void givesEveryClientTheServicesScramUser() {
        Map<String, Object> properties = BrokerSecurity.clientProperties(new MockEnvironment()
                .withProperty("KAFKA_SECURITY_PROTOCOL", "sasl_ssl")
                .withProperty("KAFKA_SASL_USERNAME", "referral-service")
                .withProperty("KAFKA_SASL_PASSWORD", "pa\"ss\\word")
                .withProperty("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka-ca/ca.crt"));

        assertThat(properties)
                .containsEntry("spring.kafka.security.protocol", "SASL_SSL")
                .containsEntry("spring.kafka.properties.sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("spring.kafka.properties.ssl.truststore.location", "/etc/kafka-ca/ca.crt")
                .containsEntry("spring.kafka.properties.ssl.truststore.type", "PEM");
        // Kafka's own JAAS parser reads the user and the password back unchanged, quote and backslash included.
        var entry = JaasContext.loadClientContext(Map.of("sasl.jaas.config",
                new Password((String) properties.get("spring.kafka.properties.sasl.jaas.config"))))
                .configurationEntries().getFirst();
        assertThat(entry.getLoginModuleName()).isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule");
        assertThat(entry.getOptions().get("username")).isEqualTo("referral-service");
        assertThat(entry.getOptions().get("password")).isEqualTo("pa\"ss\\word");
    }

    @Test
    void credentialsAloneMeanSaslOverPlaintext() {
        assertThat(BrokerSecurity.clientProperties(new MockEnvironment()
                .withProperty("KAFKA_SASL_USERNAME", "progression-service")
                .withProperty("KAFKA_SASL_PASSWORD", "secret")))
                .containsEntry("spring.kafka.security.protocol", "SASL_PLAINTEXT");
    }

    @Test
    void refusesSaslWithoutAPassword() {
        assertThatIllegalStateException().isThrownBy(() -> BrokerSecurity.clientProperties(new MockEnvironment()
                        .withProperty("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
                        .withProperty("KAFKA_SASL_USERNAME", "referral-service")))
                .withMessageContaining("KAFKA_SASL_PASSWORD");
    }
}
