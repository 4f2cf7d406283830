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
        CloudEvent cloudEvent = CloudEventBuilder.v1()
                .withId(eventId)
                .withSource(URI.create("/pathways/test"))
                .withType(type.type())
                .withSubject(event.subject())
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataSchema(type.dataschema())
                .withDataContentType("application/json")
                .withData(JSON.writeValueAsString(event).getBytes(StandardCharsets.UTF_8))
                .build();
        byte[] body = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).serialize(cloudEvent);
        try {
            producer.send(new ProducerRecord<>(type.topic().topicName(), event.subject(), body)).get();
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
