package org.pathways.messaging.cloudevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.cloudevents.CloudEvent;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.stream.binder.kafka.common.BinderHeaderMapper;
import org.springframework.messaging.MessageHeaders;
import org.pathways.events.catalogue.EventExamples;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.messaging.MessagingServiceTest;
import org.pathways.messaging.MessagingTestApplication;
import org.pathways.messaging.MessagingTestApplication.TrackedLearner;
import org.pathways.messaging.inbox.ErasedLearners;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.messaging.outbox.OutboxRelay;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.TopicRecorder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every record the platform puts on Kafka, read back with the CloudEvents Java SDK's own Kafka deserializer, as an
 * agency's Java system would read it: the Kafka protocol binding in structured mode, {@code partitionkey} = key.
 */
class CloudEventsKafkaBindingTest extends MessagingServiceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Autowired OutboxRelay relay;
    @Autowired Outbox outbox;
    @Autowired CloudEventCodec codec;
    @Autowired ErasedLearners erasedLearners;

    /** Every type event-contracts has a schema for: a new schema is covered without touching this test. */
    static List<String> publishedTypes() throws IOException {
        Resource[] schemas = new PathMatchingResourcePatternResolver().getResources("classpath*:schemas/*.json");
        List<String> types = Arrays.stream(schemas).map(Resource::getFilename).filter(Objects::nonNull)
                .map(name -> name.substring(0, name.length() - ".json".length())).sorted().toList();
        assertThat(types).as("schemas in event-contracts").hasSizeGreaterThanOrEqualTo(EventType.values().length);
        return types;
    }

    private static OutboxEntry entry(String topic, String type) {
        EventType eventType = EventType.ofType(type).orElseThrow(() ->
                new AssertionError("A schema with no EventType: " + type));
        PathwaysEvent example = EventExamples.of(eventType);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new OutboxEntry(UUID.randomUUID().toString(), type, topic, example.subject(), now,
                eventType.dataschema().toString(), "/pathways/messaging-test", JSON.writeValueAsString(example),
                TRACEPARENT, now);
    }

    private static CloudEvent readWithTheSdk(ConsumerRecord<String, byte[]> record) {
        try (CloudEventDeserializer deserializer = new CloudEventDeserializer()) {
            return deserializer.deserialize(record.topic(), record.headers(), record.value());
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void assertIsAStructuredCloudEvent(ConsumerRecord<String, byte[]> record) {
        assertThat(header(record, "content-type")).isEqualTo(JsonFormat.CONTENT_TYPE);
        // Nothing contradicting the binding: no Spring contentType, no binary-mode ce_ attributes.
        assertThat(Arrays.stream(record.headers().toArray()).map(Header::key))
                .doesNotContain("contentType")
                .noneMatch(key -> key.startsWith("ce_"));
    }

    @Test
    void everyEventTypeTheRelayPublishesIsReadByTheCloudEventsKafkaDeserializer() throws Exception {
        String topic = "pathways.interop-check." + UUID.randomUUID();
        List<OutboxEntry> sent = publishedTypes().stream().map(type -> entry(topic, type)).toList();
        sent.forEach(relay::send);

        Map<String, ConsumerRecord<String, byte[]>> received;
        try (TopicRecorder recorder = new TopicRecorder(topic)) {
            received = recorder.await(record -> true, sent.size(), Duration.ofSeconds(30)).stream()
                    .collect(Collectors.toMap(record -> readWithTheSdk(record).getId(), Function.identity()));
        }
        assertThat(received).hasSameSizeAs(sent);
        for (OutboxEntry entry : sent) {
            ConsumerRecord<String, byte[]> record = received.get(entry.eventId());
            assertIsAStructuredCloudEvent(record);
            CloudEvent event = readWithTheSdk(record);
            assertThat(event.getType()).isEqualTo(entry.type());
            assertThat(event.getSubject()).isEqualTo(entry.subject());
            assertThat(record.key()).isEqualTo(entry.subject());
            assertThat(event.getExtension("partitionkey")).as(entry.type()).isEqualTo(record.key());
            assertThat(event.getDataSchema()).hasToString(entry.dataschema());
            assertThat(event.getDataContentType()).isEqualTo("application/json");
            assertThat(JSON.readTree(event.getData().toBytes())).isEqualTo(JSON.readTree(entry.data()));
            // The relay's producer span: the written context's trace, a span of its own.
            assertThat(header(record, "traceparent")).startsWith(TRACEPARENT.substring(0, 36))
                    .isNotEqualTo(TRACEPARENT);
        }
        assertThat(sent.stream().map(OutboxEntry::type).collect(Collectors.toSet()))
                .containsAll(Arrays.stream(EventType.values()).map(EventType::type).collect(Collectors.toSet()));
    }

    @Test
    void aDeadLetteredRecordIsStillACloudEventWithItsErrorHeaders() {
        String failing = MessagingTestApplication.FAILING_SUBJECT;
        try (TopicRecorder deadLetters = new TopicRecorder("pathways.dlq.messaging-test")) {
            outbox.save(new TrackedLearner("agg-" + UUID.randomUUID(), "LS4"),
                    new LearnerRegistered(failing, "agency-college", "LS4", Instant.now()));

            List<ConsumerRecord<String, byte[]>> dead = deadLetters.await(r -> failing.equals(r.key()), 1,
                    Duration.ofSeconds(30));
            assertThat(dead).isNotEmpty();
            ConsumerRecord<String, byte[]> record = dead.getLast();
            assertIsAStructuredCloudEvent(record);
            CloudEvent event = readWithTheSdk(record);
            assertThat(event.getType()).isEqualTo(EventType.LEARNER_REGISTERED.type());
            assertThat(event.getExtension("partitionkey")).isEqualTo(failing);
            assertThat(header(record, "x-exception-message")).contains("handler failure");
            assertThat(header(record, "x-original-topic")).isEqualTo("pathways.learners");
        }
    }

    @Test
    void consumersAcceptTodaysRecordsAndTheBindingsRecordsAlike() throws Exception {
        String before = "lrn-" + UUID.randomUUID();
        String after = "lrn-" + UUID.randomUUID();
        OutboxEntry old = entry("pathways.learners", EventType.LEARNER_REGISTERED.type(), before);
        OutboxEntry current = entry("pathways.learners", EventType.LEARNER_REGISTERED.type(), after);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            // As the relay published until now: the structured JSON, headers mapped by the binder's own header
            // mapper (Spring's contentType with its spring_json_header_types), no content-type, no partitionkey.
            ProducerRecord<String, byte[]> legacy = new ProducerRecord<>(old.topic(), old.subject(),
                    JSON.writeValueAsBytes(withoutPartitionKey(codec.encode(old))));
            new BinderHeaderMapper().fromHeaders(new MessageHeaders(Map.of(
                    MessageHeaders.CONTENT_TYPE, "application/json",
                    "traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8))), legacy.headers());
            assertThat(legacy.headers().lastHeader("content-type")).isNull();
            producer.send(legacy).get();
            producer.send(new CloudEventRecords(codec).record(current)).get();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> Set.copyOf(handledLearners()).containsAll(
                List.of(before, after)));
    }

    @Test
    void aRecordForwardedAfterTheLearnersErasureNamesThemNowhereNotEvenInItsPartitionKey() {
        String learnerId = "lrn-" + UUID.randomUUID();
        erasedLearners.record(learnerId, Instant.now());
        OutboxEntry late = entry("pathways.learners", EventType.LEARNER_REGISTERED.type(), learnerId);
        byte[] record = codec.encode(late);
        ErasedLearners.Received seen = erasedLearners.pseudonymise(ReceivedEvent.decode(codec, record, null), record);

        String forwarded = new String(seen.record(), StandardCharsets.UTF_8);
        assertThat(forwarded).doesNotContain(learnerId);
        assertThat(JSON.readTree(forwarded).get("partitionkey").asString())
                .isEqualTo(JSON.readTree(forwarded).get("subject").asString()).startsWith("erased-");
    }

    private static Map<String, Object> withoutPartitionKey(byte[] structured) {
        @SuppressWarnings("unchecked")
        Map<String, Object> event = JSON.readValue(structured, Map.class);
        event.remove("partitionkey");
        return event;
    }

    private static List<String> handledLearners() {
        return MessagingTestApplication.HANDLED.stream().map(LearnerRegistered::learnerId).toList();
    }

    private static OutboxEntry entry(String topic, String type, String learnerId) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new OutboxEntry(UUID.randomUUID().toString(), type, topic, learnerId, now,
                EventType.LEARNER_REGISTERED.dataschema().toString(), "/pathways/messaging-test",
                JSON.writeValueAsString(new LearnerRegistered(learnerId, "agency-college", "LS6", now)),
                TRACEPARENT, now);
    }
}
