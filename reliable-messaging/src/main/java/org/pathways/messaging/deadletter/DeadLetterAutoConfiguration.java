package org.pathways.messaging.deadletter;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.pathways.messaging.broker.ServiceKafkaClients;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Every service that consumes events (it has the inbox) and serves HTTP with the platform's security gets its dead
 * letters' endpoint ({@link DeadLetterController}) and the {@code pathways.dead.letters.open} gauges.
 */
@AutoConfiguration(afterName = "org.pathways.messaging.ReliableMessagingAutoConfiguration")
@ConditionalOnClass(name = "org.pathways.platform.security.Caller")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean({CloudEventCodec.class, MongoTemplate.class})
@ConditionalOnProperty(name = "pathways.messaging.dead-letters.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DeadLetterProperties.class)
public class DeadLetterAutoConfiguration {

    /**
     * The service's dead-letter topic, read and re-driven by clients that connect as the service's other clients do
     * ({@link ServiceKafkaClients}): to a secured broker as the service's own principal.
     */
    @Bean
    DeadLetterTopic deadLetterTopic(Environment environment, DeadLetterProperties properties, KafkaProperties kafka) {
        String service = environment.getProperty("spring.application.name", "service");
        // The binder's own setting (pathways-messaging.yml), so the two can never name different topics.
        String topic = environment.getProperty("spring.cloud.stream.kafka.default.consumer.dlq-name",
                "pathways.dlq." + service);
        return new DeadLetterTopic(topic, ServiceKafkaClients.consumerSettings(environment, kafka),
                ServiceKafkaClients.producerSettings(environment, kafka), properties.timeout());
    }

    @Bean
    DeadLetters deadLetters(Environment environment, DeadLetterTopic topic, MongoTemplate mongo,
                            CloudEventCodec codec, Clock clock, ObjectProvider<MeterRegistry> meters) {
        return new DeadLetters(environment.getProperty("spring.application.name", "service"), topic,
                new DeadLetterStates(mongo, topic.name()), codec, clock,
                meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    DeadLetterController deadLetterController(DeadLetters deadLetters) {
        return new DeadLetterController(deadLetters);
    }
}
