package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.Topic;
import org.pathways.events.catalogue.EventExamples;
import org.pathways.events.catalogue.EventType;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.messaging.cloudevents.CloudEventRecords;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.testing.NodeTool;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.TestTokens;
import org.pathways.testing.TopicRecorder;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An agency's system in another language reads the platform's topics: a Node consumer with kafkajs and the
 * CloudEvents JavaScript SDK's Kafka binding ({@code Kafka.toEvent}), against the shared platform's broker. It must
 * recognise every record the services published and a record of every event type event-contracts defines.
 */
class CloudEventsInteroperabilityEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path CONSUMER = Path.of("src/test/node/cloudevents-consumer");
    private static final String COUNCIL = "agency-council";

    /** Every event type with a schema in event-contracts; a new schema is covered without touching this test. */
    private static List<EventType> everyPublishedType() throws Exception {
        Resource[] schemas = new PathMatchingResourcePatternResolver().getResources("classpath*:schemas/*.json");
        return Arrays.stream(schemas).map(Resource::getFilename).filter(Objects::nonNull)
                .map(name -> name.substring(0, name.length() - ".json".length()))
                .map(type -> EventType.ofType(type).orElseThrow(() -> new AssertionError("No EventType " + type)))
                .toList();
    }

    private static String registerLearner() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + RunningPlatform.get().gatewayPort + "/api/learners"))
                .header("Authorization", "Bearer " + TestTokens.worker(COUNCIL))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"givenName":"Nia","familyName":"Interop","dateOfBirth":"1999-04-02",
                         "localityCode":"LS6","preferredLanguage":"en"}
                        """)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body()).get("id").asString();
    }

    @Test
    void aNodeConsumerWithTheCloudEventsSdkRecognisesEveryRecordAndEveryEventType() throws Exception {
        NodeTool consumer = NodeTool.installedAt(CONSUMER);
        RunningPlatform.get();

        // A real service publishes through its outbox relay...
        String learnerId = registerLearner();
        try (TopicRecorder learners = new TopicRecorder(Topic.LEARNERS.topicName())) {
            assertThat(learners.await(r -> learnerId.equals(r.key()), 1, Duration.ofSeconds(30))).isNotEmpty();
        }
        // ...and one record of every type, made by the platform's record factory, lands on a topic of its own
        // (examples on the live topics would reach the services).
        String checkTopic = "pathways.interop-check." + UUID.randomUUID();
        CloudEventRecords records = new CloudEventRecords(new CloudEventCodec());
        List<EventType> types = everyPublishedType();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (EventType type : types) {
                PathwaysEvent example = EventExamples.of(type);
                Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                producer.send(records.record(new OutboxEntry(UUID.randomUUID().toString(), type.type(), checkTopic,
                        example.subject(), now, type.dataschema().toString(), "/pathways/interop-check",
                        JSON.writeValueAsString(example), null, now))).get();
            }
        }

        List<String> topics = new ArrayList<>(existingPlatformTopics());
        topics.add(checkTopic);
        NodeTool.Result run = consumer.run(Duration.ofSeconds(120), "node", "consumer.js",
                SharedInfrastructure.kafkaBootstrapServers(), String.join(",", topics));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode report = JSON.readTree(run.stdout());

        assertThat(report.get("refused").size()).as("records the CloudEvents SDK refused: " + report.get("refused"))
                .isZero();
        List<JsonNode> recognised = new ArrayList<>();
        report.get("recognised").forEach(recognised::add);
        for (JsonNode event : recognised) {
            assertThat(event.get("contentType").asString()).as(event.toString())
                    .isEqualTo("application/cloudevents+json");
            assertThat(event.get("partitionkey").asString()).as(event.toString()).isEqualTo(event.get("key").asString());
        }
        assertThat(recognised).as("the service's own event")
                .anyMatch(event -> Topic.LEARNERS.topicName().equals(event.get("topic").asString())
                        && learnerId.equals(event.get("key").asString())
                        && EventType.LEARNER_REGISTERED.type().equals(event.get("type").asString()));
        Set<String> typesRead = recognised.stream().filter(event -> checkTopic.equals(event.get("topic").asString()))
                .map(event -> event.get("type").asString()).collect(Collectors.toSet());
        assertThat(typesRead).containsExactlyInAnyOrderElementsOf(types.stream().map(EventType::type).toList());
    }

    private static Set<String> existingPlatformTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafkaBootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get();
            return Arrays.stream(Topic.values()).map(Topic::topicName).filter(existing::contains)
                    .collect(Collectors.toSet());
        }
    }
}
