package org.pathways.testing;

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
import org.pathways.events.EventType;
import org.pathways.events.PathwaysEvent;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes events onto the shared broker as another service would, built independently with the CloudEvents SDK
 * and a plain Kafka producer: a consumer under test sees exactly what a real producer sends.
 */
public final class EventProducer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());

    /** Publishes {@code event} with a new id; returns the id. */
    public String publish(PathwaysEvent event) {
        return publish(UUID.randomUUID().toString(), event);
    }

    /** Publishes {@code event} with the given id (publish twice with one id to simulate a redelivery). */
    public String publish(String eventId, PathwaysEvent event) {
        EventType type = event.publishedType();
        return publishRaw(type.topic().topicName(), eventId, type.type(), event.subject(), event);
    }

    /** {@link #publishRaw(String, String, String, String, Object)} with a new event id. */
    public String publishRaw(String topic, String type, String subject, Object data) {
        return publishRaw(topic, UUID.randomUUID().toString(), type, subject, data);
    }

    /**
     * Publishes any type string with any data, as another service would: for a consumer that reads events by type
     * without depending on their records, or to send data that breaks a contract.
     */
    public String publishRaw(String topic, String eventId, String type, String subject, Object data) {
        CloudEvent cloudEvent = CloudEventBuilder.v1()
                .withId(eventId)
                .withSource(URI.create("/pathways/test"))
                .withType(type)
                .withSubject(subject)
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                // A known type names its own schema; an unknown one (a contract breaker) names one alike.
                .withDataSchema(EventType.ofType(type).map(EventType::dataschema)
                        .orElse(URI.create("urn:pathways:schema:" + type)))
                .withDataContentType("application/json")
                .withData(JSON.writeValueAsString(data).getBytes(StandardCharsets.UTF_8))
                .build();
        byte[] body = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).serialize(cloudEvent);
        try {
            producer.send(new ProducerRecord<>(topic, subject, body)).get();
        } catch (Exception e) {
            throw new IllegalStateException("Could not publish a test event", e);
        }
        return eventId;
    }

    @Override
    public void close() {
        producer.close();
    }
}
