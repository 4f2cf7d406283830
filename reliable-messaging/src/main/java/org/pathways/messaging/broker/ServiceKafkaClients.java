package org.pathways.messaging.broker;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.core.env.Environment;

/**
 * Where a Kafka client that a service makes by hand (the dead letters' producers, their reading consumer) starts: every
 * setting Spring Boot builds from {@code spring.kafka.*} (the broker's security protocol, SASL and SSL, which
 * {@link BrokerSecurity} puts there, among them), so that no setting the service's other clients use is left out; at
 * the binder's brokers, where the binder's own producers and consumers connect. The caller puts its own over them.
 */
public final class ServiceKafkaClients {

    private ServiceKafkaClients() {
    }

    public static Map<String, Object> producerSettings(Environment environment, KafkaProperties kafka) {
        return atTheBindersBrokers(new HashMap<>(kafka.buildProducerProperties()), environment);
    }

    public static Map<String, Object> consumerSettings(Environment environment, KafkaProperties kafka) {
        return atTheBindersBrokers(new HashMap<>(kafka.buildConsumerProperties()), environment);
    }

    private static Map<String, Object> atTheBindersBrokers(Map<String, Object> settings, Environment environment) {
        Binder.get(environment).bind("spring.cloud.stream.kafka.binder.brokers", Bindable.listOf(String.class))
                .ifBound(brokers -> settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                        String.join(",", brokers)));
        return settings;
    }
}
