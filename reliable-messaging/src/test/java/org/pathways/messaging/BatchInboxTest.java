package org.pathways.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.TopicRecorder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The batch inbox ({@code batch-mode} binding): every event of a poll handled once and in order, a failing one
 * retried then dead-lettered while its neighbours go on, a malformed one dead-lettered at once, a redelivery skipped;
 * and a batch failed by what escapes the inbox (its end's writes failing) delivered again until it succeeds, whatever
 * the failure, never discarded.
 */
class BatchInboxTest extends MessagingServiceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "pathways.batch-test";
    private static final String DLQ = "pathways.dlq.messaging-test";

    private static TopicRecorder deadLetters;

    @Autowired MongoTemplate mongo;

    @BeforeAll
    static void recorders() {
        deadLetters = new TopicRecorder(DLQ);
    }

    @AfterAll
    static void closeRecorders() {
        deadLetters.close();
    }

    private static byte[] cloudEvent(String id, String learnerId) {
        byte[] data = JSON.writeValueAsBytes(new LearnerRegistered(learnerId, "agency-college", "LS6",
                Instant.now()));
        return EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).serialize(
                CloudEventBuilder.v1().withId(id).withSource(URI.create("/pathways/test"))
                        .withType("org.pathways.learner.registered.v1").withSubject(learnerId)
                        .withTime(OffsetDateTime.now(ZoneOffset.UTC)).withDataContentType("application/json")
                        .withData(data).build());
    }

    private static void send(String key, List<byte[]> records) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20), new StringSerializer(), new ByteArraySerializer())) {
            // One key: one partition, so the records arrive in this order and, sent together, in one poll.
            records.forEach(record -> producer.send(new ProducerRecord<>(TOPIC, key, record)));
            producer.flush();
        }
    }

    private static List<String> handled(List<String> ids) {
        return MessagingTestApplication.BATCH_HANDLED.stream().filter(ids::contains).toList();
    }

    /**
     * How many of these events the inbox has marked done. Only these: the test before may still be writing its last
     * batch's marks (a batch is written before its events are marked), so a count of all the handler's marks is not
     * this test's to compare.
     */
    private long doneMarks(List<String> ids) {
        return mongo.count(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("_id")
                        .in(ids.stream().map(id -> "batch-events:" + id).toList()).and("status").is("DONE")), "inbox");
    }

    @Test
    void aBatchWhoseEndFailsWhileTheStoreIsDownIsDeliveredAgainUntilWhatItHeldBackIsWritten() {
        failsAtTheEndOfItsBatch(new DataAccessResourceFailureException("the store is down"));
    }

    /**
     * A document read back in a shape the code did not expect ({@code Document.getString} on a number) fails the
     * batch's end with a {@link ClassCastException}. Spring Kafka's error handler takes that exception (and conversion
     * and deserialization exceptions, anywhere in the cause chain) for a record that can never be processed: by
     * default it discards the whole batch ("Records discarded") and commits its offsets, so the batch's events were
     * handled but their held-back writes and done-marks never made, and nothing delivers them again.
     */
    @Test
    void aBatchWhoseEndMeetsADocumentOfAnUnexpectedShapeIsDeliveredAgainNotDiscarded() {
        failsAtTheEndOfItsBatch(new ClassCastException("Integer cannot be cast to String"));
    }

    /** By default the handler classifies again when the failure changes kind between deliveries, and discards then. */
    @Test
    void aBatchWhoseFailureChangesKindBetweenDeliveriesIsStillDeliveredAgain() {
        failsAtTheEndOfItsBatch(new DataAccessResourceFailureException("the store is down"),
                new ClassCastException("Integer cannot be cast to String"));
    }

    /**
     * Three events of one key, the end of whose batch meets {@code faults}, one per delivery: the batch is delivered
     * again until it succeeds, so each event is written once and in order, and marked done.
     */
    private void failsAtTheEndOfItsBatch(RuntimeException... faults) {
        String learner = "lrn-" + UUID.randomUUID();
        List<String> ids = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                UUID.randomUUID().toString());
        Queue<RuntimeException> left = new ConcurrentLinkedQueue<>(List.of(faults));
        MessagingTestApplication.BATCH_COMPLETE_FAULTS.put(ids.get(1), left);
        send(learner, ids.stream().map(id -> cloudEvent(id, learner)).toList());

        await().atMost(Duration.ofSeconds(60)).until(() -> MessagingTestApplication.BATCH_WRITTEN.containsAll(ids));
        assertThat(left).as("every failure was met").isEmpty();
        assertThat(MessagingTestApplication.BATCH_WRITTEN.stream().filter(ids::contains).toList())
                .as("written once each, in order").containsExactlyElementsOf(ids);
        await().atMost(Duration.ofSeconds(10)).until(() -> doneMarks(ids) == 3);
        // And the partition goes on.
        String next = UUID.randomUUID().toString();
        send(learner, List.of(cloudEvent(next, learner)));
        await().atMost(Duration.ofSeconds(30)).until(() -> MessagingTestApplication.BATCH_WRITTEN.contains(next));
    }

    @Test
    void aBatchsEventsAreHandledOnceInOrderAroundAFailingAndAMalformedOneWhichAreDeadLettered() {
        String learner = "lrn-" + UUID.randomUUID();
        String first = UUID.randomUUID().toString();
        String failing = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        String third = UUID.randomUUID().toString();
        MessagingTestApplication.BATCH_FAILING.add(failing);

        send(learner, List.of(cloudEvent(first, learner), cloudEvent(failing, learner),
                "{not a cloud event".getBytes(StandardCharsets.UTF_8), cloudEvent(second, learner),
                cloudEvent(first, learner), cloudEvent(third, learner)));

        List<String> good = List.of(first, second, third);
        await().atMost(Duration.ofSeconds(60)).until(() -> handled(good).size() == 3);
        assertThat(handled(good)).containsExactly(first, second, third);
        List<ConsumerRecord<String, byte[]>> dead = deadLetters.await(r -> learner.equals(r.key()), 2,
                Duration.ofSeconds(20));
        assertThat(dead).hasSize(2);
        assertThat(dead).anySatisfy(letter -> {
            assertThat(new String(letter.value(), StandardCharsets.UTF_8)).contains(failing);
            assertThat(new String(letter.headers().lastHeader("x-exception-message").value(),
                    StandardCharsets.UTF_8)).contains("handler failure");
            assertThat(new String(letter.headers().lastHeader("x-original-topic").value(),
                    StandardCharsets.UTF_8)).isEqualTo(TOPIC);
        });
        assertThat(dead).anySatisfy(letter -> assertThat(new String(letter.value(), StandardCharsets.UTF_8))
                .isEqualTo("{not a cloud event"));
        await().atMost(Duration.ofSeconds(10)).until(() -> doneMarks(good) == 3);
        assertThat(doneMarks(List.of(failing))).as("the dead-lettered event is not marked done").isZero();

        // Delivered again (a rebalance, a replay): skipped by the inbox, whatever batch it comes in.
        String fourth = UUID.randomUUID().toString();
        send(learner, List.of(cloudEvent(second, learner), cloudEvent(fourth, learner)));
        await().atMost(Duration.ofSeconds(30)).until(() -> handled(List.of(fourth)).size() == 1);
        assertThat(handled(List.of(first, second, third, fourth))).containsExactly(first, second, third, fourth);
        assertThat(deadLetters.settle(r -> learner.equals(r.key()), Duration.ofSeconds(1))).hasSize(2);
        // The events came in batches: some poll brought more than one.
        assertThat(MessagingTestApplication.BATCH_SIZES).anySatisfy(size -> assertThat(size).isGreaterThan(1));
    }

    /**
     * The inbox inserts a batch's done-marks (no look-up, no update to work out). A mark written meanwhile by another
     * instance (during a rebalance) refuses that insert; the batch still ends: every event marked done, each handled
     * once, the batch not delivered again. A record the inbox held in another state when the batch began (written by
     * an older version, say) is not taken for done: the event is handled and its record becomes the done-mark.
     */
    @Test
    void aBatchsDoneMarksAreWrittenWhenAnotherInstanceMarkedOneMeanwhileOrTheInboxHeldOneInAnotherState() {
        String learner = "lrn-" + UUID.randomUUID();
        String first = UUID.randomUUID().toString();
        String markedElsewhere = UUID.randomUUID().toString();
        String heldPending = UUID.randomUUID().toString();
        String last = UUID.randomUUID().toString();
        MessagingTestApplication.BATCH_MARKED_ELSEWHERE.add(markedElsewhere);
        mongo.insert(new org.bson.Document("_id", "batch-events:" + heldPending).append("status", "PENDING")
                .append("handler", "batch-events").append("eventId", heldPending), "inbox");

        send(learner, List.of(cloudEvent(first, learner), cloudEvent(markedElsewhere, learner),
                cloudEvent(heldPending, learner), cloudEvent(last, learner)));

        List<String> ids = List.of(first, markedElsewhere, heldPending, last);
        await().atMost(Duration.ofSeconds(60)).until(() -> doneMarks(ids) == 4);
        assertThat(handled(ids)).containsExactly(first, markedElsewhere, heldPending, last);
        for (String id : ids) {
            org.bson.Document mark = mongo.findById("batch-events:" + id, org.bson.Document.class, "inbox");
            assertThat(mark).as(id).isNotNull();
            assertThat(mark.getString("status")).as(id).isEqualTo("DONE");
        }
        // Not delivered again: a later event of the same key is handled, and nothing of the batch a second time.
        String after = UUID.randomUUID().toString();
        send(learner, List.of(cloudEvent(after, learner)));
        await().atMost(Duration.ofSeconds(30)).until(() -> handled(List.of(after)).size() == 1);
        assertThat(handled(List.of(first, markedElsewhere, heldPending, last, after)))
                .containsExactly(first, markedElsewhere, heldPending, last, after);
    }

    @Test
    void whatAScopeReadsAheadIsReadWithTheInboxsOwnReadsAndIsThereWhenTheBatchBegins() {
        String learner = "lrn-" + UUID.randomUUID();
        String repeat = UUID.randomUUID().toString();
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        mongo.insert(new org.bson.Document("_id", "batch-events:" + repeat).append("status", "DONE")
                .append("handler", "batch-events").append("eventId", repeat), "inbox");

        send(learner, List.of(cloudEvent(repeat, learner), cloudEvent(first, learner), cloudEvent(second, learner)));

        await().atMost(Duration.ofSeconds(60)).until(() -> doneMarks(List.of(first, second)) == 2);
        assertThat(handled(List.of(repeat, first, second))).containsExactly(first, second);
        // Read on a thread of its own before the repeat was known, and finished by the time the batch began.
        assertThat(MessagingTestApplication.BATCH_READ_AHEAD.get(first)).containsExactly(repeat, first, second);
    }
}
