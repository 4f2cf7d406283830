package org.pathways.learner;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.SharedInfrastructure;

/**
 * Publishes a CloudEvent of any type string with any JSON data, as another service would: for consuming events whose
 * Java records this module does not depend on (and to send malformed ones). {@code EventProducer} needs a record.
 */
public final class RawEvents implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());

    /** Publishes with the given id (publish twice with one id to simulate a redelivery); returns the id. */
    public String publish(String topic, String eventId, String type, String subject, Map<String, Object> data) {
        CloudEvent event = CloudEventBuilder.v1()
                .withId(eventId)
                .withSource(URI.create("/pathways/referral-service"))
                .withType(type)
                .withSubject(subject)
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataSchema(URI.create("urn:pathways:schema:" + type))
                .withDataContentType("application/json")
                .withData(HttpApi.JSON.writeValueAsString(data).getBytes(StandardCharsets.UTF_8))
                .build();
        byte[] body = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).serialize(event);
        try {
            producer.send(new ProducerRecord<>(topic, subject, body)).get();
        } catch (Exception e) {
            throw new IllegalStateException("Could not publish a test event", e);
        }
        return eventId;
    }

    public String publish(String topic, String type, String subject, Map<String, Object> data) {
        return publish(topic, UUID.randomUUID().toString(), type, subject, data);
    }

    @Override
    public void close() {
        producer.close();
    }
}
