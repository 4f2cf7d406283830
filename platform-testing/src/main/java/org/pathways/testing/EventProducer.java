package org.pathways.testing;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.catalogue.EventType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes events onto the shared broker as another service would, built independently with the CloudEvents SDK
 * and a plain Kafka producer whose value serializer is the SDK's own Kafka one: the CloudEvents Kafka protocol
 * binding in structured mode ({@code content-type: application/cloudevents+json}, the {@code partitionkey} extension
 * equal to the record key), so a consumer under test sees exactly what a real producer sends.
 */
public final class EventProducer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class,
            CloudEventSerializer.ENCODING_CONFIG, Encoding.STRUCTURED.name(),
            CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE));

    /** Publishes {@code event} with a new id; returns the id. */
    public String publish(PathwaysEvent event) {
        return publish(UUID.randomUUID().toString(), event);
    }

    /** Publishes {@code event} with the given id (publish twice with one id to simulate a redelivery). */
    public String publish(String eventId, PathwaysEvent event) {
        EventType type = EventType.of(event);
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
                .withExtension("partitionkey", subject)
                .withData(JSON.writeValueAsString(data).getBytes(StandardCharsets.UTF_8))
                .build();
        try {
            producer.send(new ProducerRecord<>(topic, subject, cloudEvent)).get();
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
