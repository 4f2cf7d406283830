package org.pathways.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.events.catalogue.EventSchemas;
import org.pathways.events.learner.LearnerErased;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.messaging.MessagingTestApplication.TrackedLearner;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.messaging.config.MessagingProperties;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.messaging.outbox.OutboxParkedException;
import org.pathways.messaging.outbox.OutboxRelay;
import org.pathways.messaging.outbox.OutboxSweeper;
import org.pathways.platform.problem.ProblemDetailsAdvice;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.TopicRecorder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.core.env.Environment;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ReliableMessagingTest extends MessagingServiceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "pathways.learners";
    private static final String DLQ = "pathways.dlq.messaging-test";

    private static TopicRecorder topic;
    private static TopicRecorder deadLetters;

    @Autowired Outbox outbox;
    @Autowired OutboxRelay relay;
    @Autowired OutboxSweeper sweeper;
    @Autowired EventInbox inbox;
    @Autowired MongoTemplate mongo;
    @Autowired StreamBridge streamBridge;
    @Autowired CloudEventCodec codec;
    @Autowired EventSchemas schemas;
    @Autowired Environment environment;

    @BeforeAll
    static void recorders() {
        topic = new TopicRecorder(TOPIC);
        deadLetters = new TopicRecorder(DLQ);
    }

    @AfterAll
    static void closeRecorders() {
        topic.close();
        deadLetters.close();
    }

    private static String newLearnerId() {
        return "lrn-" + UUID.randomUUID();
    }

    private static LearnerRegistered registered(String learnerId) {
        return new LearnerRegistered(learnerId, "agency-college", "LS6", Instant.now());
    }

    private static LearnerRegistered numbered(String learnerId, int place) {
        return new LearnerRegistered(learnerId, "agency-college", "S" + place, Instant.now());
    }

    private static boolean about(ConsumerRecord<String, byte[]> record, String learnerId) {
        return learnerId.equals(record.key());
    }

    private static long handledCount(String learnerId) {
        return MessagingTestApplication.HANDLED.stream().filter(e -> e.learnerId().equals(learnerId)).count();
    }

    /** An outbox whose process "dies" right after the write: the relay never gets to publish. */
    private Outbox crashingOutbox() {
        MessagingProperties properties = Binder.get(environment)
                .bind("pathways.messaging", MessagingProperties.class).get();
        MessagingProperties noPublish = new MessagingProperties(new MessagingProperties.Outbox(
                properties.outbox().collections(), false, properties.outbox().sweepInterval(),
                properties.outbox().sweepGrace(), properties.outbox().lease(), true, 1,
                properties.outbox().fullSweepInterval(), properties.outbox().maxPending()), properties.inbox());
        return new Outbox(mongo, relay, schemas, noPublish, java.net.URI.create("/pathways/messaging-test"),
                Clock.systemUTC());
    }

    /**
     * An outbox that lets at most {@code maxPending} events wait, whose relay "cannot reach Kafka" (never runs). Its
     * clock runs an hour ahead, so that the application's own sweeper (which relays what waited longer than its
     * grace) leaves its events alone however slow the machine: the test drains them when it means to.
     */
    private Outbox cappedOutbox(int maxPending, SimpleMeterRegistry meters) {
        MessagingProperties properties = Binder.get(environment)
                .bind("pathways.messaging", MessagingProperties.class).get();
        MessagingProperties capped = new MessagingProperties(new MessagingProperties.Outbox(
                properties.outbox().collections(), false, properties.outbox().sweepInterval(),
                properties.outbox().sweepGrace(), properties.outbox().lease(), true, 1,
                properties.outbox().fullSweepInterval(), maxPending), properties.inbox());
        return new Outbox(mongo, relay, schemas, capped, java.net.URI.create("/pathways/messaging-test"),
                Clock.offset(Clock.systemUTC(), Duration.ofHours(1)), meters);
    }

    private List<Document> pendingOutbox(String id) {
        Document document = mongo.findById(id, Document.class, "tracked-learners");
        return document.getList("outbox", Document.class, List.of());
    }

    @Test
    void aSavedChangeIsPublishedAsAStructuredCloudEventKeyedByTheAggregateAndLeavesTheOutbox() {
        String id = newLearnerId();
        outbox.save(new TrackedLearner(id, "LS6"), registered(id));

        List<ConsumerRecord<String, byte[]>> records = topic.await(r -> about(r, id), 1, Duration.ofSeconds(20));
        assertThat(records).hasSize(1);
        ConsumerRecord<String, byte[]> record = records.getFirst();
        JsonNode cloudEvent = JSON.readTree(record.value());
        assertThat(cloudEvent.get("specversion").asString()).isEqualTo("1.0");
        assertThat(cloudEvent.get("type").asString()).isEqualTo("org.pathways.learner.registered.v1");
        assertThat(cloudEvent.get("subject").asString()).isEqualTo(id);
        assertThat(cloudEvent.get("source").asString()).isEqualTo("/pathways/messaging-test");
        assertThat(cloudEvent.get("dataschema").asString())
                .isEqualTo("urn:pathways:schema:org.pathways.learner.registered.v1");
        assertThat(cloudEvent.get("data").get("learnerId").asString()).isEqualTo(id);
        assertThat(new String(record.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8))
                .as("the relay's producer span (a new trace: nothing was traced when it was written)")
                .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        await().atMost(Duration.ofSeconds(30)).until(() -> pendingOutbox(id).isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> handledCount(id) == 1);
    }

    @Test
    void anEventWrittenJustBeforeACrashIsPublishedExactlyOnceByTheSweeper() {
        String id = newLearnerId();
        crashingOutbox().save(new TrackedLearner(id, "LS7"), registered(id));
        assertThat(pendingOutbox(id)).hasSize(1);

        // The scheduled sweeper of the "restarted" service takes it over after the grace period.
        List<ConsumerRecord<String, byte[]>> records = topic.await(r -> about(r, id), 1, Duration.ofSeconds(20));
        assertThat(records).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> pendingOutbox(id).isEmpty());
        assertThat(topic.settle(r -> about(r, id), Duration.ofSeconds(2))).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> handledCount(id) == 1);
    }

    @Test
    void aCrashAfterPublishingButBeforeMarkingPublishesTwiceAndIsProcessedOnce() {
        String id = newLearnerId();
        crashingOutbox().save(new TrackedLearner(id, "LS8"), registered(id));
        // The relay sends the event, then "dies" before removing it from the outbox.
        relay.send(OutboxEntryReader.first(pendingOutbox(id)));

        // After the restart the sweeper publishes it again: two records with one event id on the topic...
        List<ConsumerRecord<String, byte[]>> records = topic.await(r -> about(r, id), 2, Duration.ofSeconds(20));
        assertThat(records).hasSize(2);
        assertThat(records.stream().map(r -> JSON.readTree(r.value()).get("id").asString()).distinct()).hasSize(1);
        // ...and the idempotent consumer processes it once.
        await().atMost(Duration.ofSeconds(30)).until(() -> handledCount(id) >= 1);
        assertThat(topic.settle(r -> about(r, id), Duration.ofSeconds(2))).hasSize(2);
        assertThat(handledCount(id)).isEqualTo(1);
        assertThat(inbox.processedCount("learner-events")).isPositive();
    }

    @Test
    void anAggregateWhoseOutboxCannotDrainIsParkedAndItsChangesAreRefusedWith503UntilTheRelayCatchesUp()
            throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Outbox capped = cappedOutbox(3, meters);
        String id = newLearnerId();
        TrackedLearner learner = capped.save(new TrackedLearner(id, "LS1"), numbered(id, 0));
        learner = capped.save(learner, numbered(id, 1));
        learner.note = "third change";
        learner = capped.save(learner, numbered(id, 2));
        assertThat(pendingOutbox(id)).hasSize(3);

        learner.note = "refused change";
        TrackedLearner refused = learner;
        assertThatThrownBy(() -> capped.save(refused, numbered(id, 3)))
                .isInstanceOfSatisfying(OutboxParkedException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(503);
                    assertThat(e.pending()).isEqualTo(3);
                });
        // Nothing of the refused change was written.
        Document stored = mongo.findById(id, Document.class, "tracked-learners");
        assertThat(stored.getLong("version")).isEqualTo(2L);
        assertThat(stored.getString("note")).isEqualTo("third change");
        assertThat(pendingOutbox(id)).hasSize(3);
        assertThat(meters.counter("pathways.outbox.refused").count()).isEqualTo(1.0);
        assertThat(meters.get("pathways.outbox.parked").gauge().value()).isEqualTo(1.0);

        // A service answers it as an RFC 9457 problem, 503 with Retry-After, not a 500. (A local class, so that the
        // test application's component scan leaves it alone.)
        @RestController
        class ChangeEndpoint {
            @PostMapping("/change")
            void change() {
                capped.save(refused, numbered(id, 3));
            }
        }
        MockMvc service = MockMvcBuilders.standaloneSetup(new ChangeEndpoint())
                .setControllerAdvice(new ProblemDetailsAdvice()).build();
        service.perform(post("/change"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("urn:pathways:problem:outbox-parked"))
                .andExpect(jsonPath("$.status").value(503))
                .andExpect(header().string("Retry-After", "30"));
        assertThat(mongo.findById(id, Document.class, "tracked-learners").getLong("version")).isEqualTo(2L);

        // Once the relay has published what waited, the change goes through.
        relay.drain("tracked-learners", id);
        assertThat(pendingOutbox(id)).isEmpty();
        capped.save(refused, numbered(id, 3));
        assertThat(pendingOutbox(id)).hasSize(1);
        assertThat(meters.get("pathways.outbox.parked").gauge().value()).isZero();
        relay.drain("tracked-learners", id);
        List<ConsumerRecord<String, byte[]>> records = topic.await(r -> about(r, id), 4, Duration.ofSeconds(20));
        assertThat(records.stream().map(r -> JSON.readTree(r.value()).get("data").get("localityCode").asString()))
                .containsExactly("S0", "S1", "S2", "S3");
    }

    @Test
    void aSaveGivenTheWaitingEventsItReadIsRefusedAndAcceptedAsOneThatReadsThem() {
        Outbox capped = cappedOutbox(3, new SimpleMeterRegistry());
        String id = newLearnerId();
        TrackedLearner learner = capped.save(new TrackedLearner(id, "LS1"), numbered(id, 0));
        int waiting = Outbox.waiting(mongo.findById(id, Document.class, "tracked-learners"));
        assertThat(waiting).isEqualTo(1);
        learner = capped.save(learner, List.of(numbered(id, 1), numbered(id, 2)), waiting);
        assertThat(pendingOutbox(id)).hasSize(3);

        TrackedLearner full = learner;
        assertThatThrownBy(() -> capped.save(full, List.of(numbered(id, 3)), 3))
                .isInstanceOf(OutboxParkedException.class);
        assertThat(pendingOutbox(id)).hasSize(3);
        // A count above the truth (the relay published since it was read) is checked against the store again.
        relay.drain("tracked-learners", id);
        capped.save(full, List.of(numbered(id, 3)), 3);
        assertThat(pendingOutbox(id)).hasSize(1);
    }

    @Test
    void twoRelaysDrainingTheSameAggregateAtOncePublishEachEventOnceInOrder() throws Exception {
        String id = newLearnerId();
        Outbox crashing = crashingOutbox();
        TrackedLearner learner = crashing.save(new TrackedLearner(id, "LS9"), registered(id));
        for (int i = 0; i < 4; i++) {
            learner.note = "change " + i;
            learner = crashing.save(learner, registered(id));
        }
        assertThat(pendingOutbox(id)).hasSize(5);
        List<String> expectedOrder = pendingOutbox(id).stream().map(d -> d.getString("eventId")).toList();

        OutboxRelay other = new OutboxRelay(mongo, streamBridge, codec, Duration.ofSeconds(30),
                Duration.ofSeconds(15), Clock.systemUTC(), new SimpleMeterRegistry(), 2);
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> relay.drain("tracked-learners", id));
        CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> other.drain("tracked-learners", id));
        assertThat(first.get() + second.get()).isEqualTo(5);

        List<ConsumerRecord<String, byte[]>> records = topic.await(r -> about(r, id), 5, Duration.ofSeconds(20));
        assertThat(topic.settle(r -> about(r, id), Duration.ofSeconds(2))).hasSize(5);
        assertThat(records.stream().map(r -> JSON.readTree(r.value()).get("id").asString()).toList())
                .isEqualTo(expectedOrder);
        other.destroy();
    }

    @Test
    void changesOfOneAggregateInQuickSuccessionArePublishedRightAfterEachWriteOnceEachInWriteOrder() {
        // Every save wakes the relay at once, so its threads race for the same aggregate: the lease must keep order.
        String id = newLearnerId();
        // Each event carries its place in the sequence (as its locality code).
        TrackedLearner learner = outbox.save(new TrackedLearner(id, "LS9"), numbered(id, 0));
        for (int i = 1; i < 25; i++) {
            learner.note = "change " + i;
            learner = outbox.save(learner, numbered(id, i));
        }

        List<ConsumerRecord<String, byte[]>> records = topic.await(r -> about(r, id), 25, Duration.ofSeconds(20));
        assertThat(records).hasSize(25);
        assertThat(topic.settle(r -> about(r, id), Duration.ofSeconds(2))).as("each event once").hasSize(25);
        List<String> published = records.stream().map(r -> JSON.readTree(r.value()).get("data")
                .get("localityCode").asString()).toList();
        assertThat(published).as("in the order they were written").isEqualTo(
                java.util.stream.IntStream.range(0, 25).mapToObj(i -> "S" + i).toList());
        await().atMost(Duration.ofSeconds(30)).until(() -> pendingOutbox(id).isEmpty());
        Document stored = mongo.findById(id, Document.class, "tracked-learners");
        assertThat(stored).as("the lease is given back with the last removal").doesNotContainKey("outboxLease")
                .containsEntry("outboxLeaseOwner", OutboxRelay.FREE);
    }

    @Test
    void anUpdatesEventIsPublishedWithTheLeaseTakenAndGivenBackAndNoReadOfTheAggregate() {
        // The relay wakes up for an update knowing the aggregate free as it is nearly always (no relay publishing
        // its earlier events right now): one compare-and-set to take the lease, one fenced update to give it back
        // with the event removed. Before, it read the aggregate first.
        assertThat(updatePublished(false, false)).as("the relay's commands")
                .isEqualTo(Map.of("findAndModify", 2));
    }

    @Test
    void anUpdateWhoseCallerKnowsTheOutboxEmptyTakesTheLeaseItselfAndTheRelayOnlyGivesItBack() {
        // A bound of 0 waiting events (the webhook dispatcher's first outcome of a delivery): no relay can hold the
        // aggregate at that version, so the update sets the relay's lease with the event, and the relay's one write
        // is the release.
        assertThat(updatePublished(true, false)).as("the relay's commands").isEqualTo(Map.of("findAndModify", 1));
    }

    @Test
    void anUpdateWrittenHeldWhoseQueuedPublishingWasDroppedIsStoredHeldAndPublishedByTheSweepUnderThatLease() {
        // The lease is in the stored update itself (the relay's queued task dropped, so nothing can have taken it
        // meanwhile), and the sweeper's retry publishes under it: its one write is the release.
        assertThat(updatePublished(true, true)).as("the sweep's commands").isEqualTo(Map.of("findAndModify", 1));
    }

    /**
     * A new aggregate published, then changed with one event (saved with the bound of 0 waiting events when
     * {@code emptyKnown}); answers the commands the relay sent to publish the change, by name, once both events were
     * published in order and the lease given back.
     */
    private Map<String, Integer> updatePublished(boolean emptyKnown, boolean dropped) {
        String id = newLearnerId();
        try (CountedRelay counted = new CountedRelay(Duration.ofSeconds(15), Clock.systemUTC())) {
            TrackedLearner learner = counted.outbox.save(new TrackedLearner(id, "LS9"), numbered(id, 0));
            topic.await(r -> about(r, id), 1, Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(30)).until(() -> pendingOutbox(id).isEmpty());
            counted.commands.clear();

            learner.note = "changed";
            if (dropped) {
                counted.dropQueued();
            }
            if (emptyKnown) {
                counted.outbox.save(learner, List.of(numbered(id, 1)), 0);
            } else {
                counted.outbox.save(learner, numbered(id, 1));
            }
            if (dropped) {
                Document stored = mongo.findById(id, Document.class, "tracked-learners");
                assertThat(stored.getList("outbox", Document.class)).as("waiting: its task was dropped").hasSize(1);
                assertThat(stored).as("stored held by the relay").containsKey("outboxLease");
                assertThat(stored.getString("outboxLeaseOwner")).isNotEqualTo(OutboxRelay.FREE);
                assertThat(counted.onSweepThread(() -> counted.relay.retryUnfinished(Instant.now().plusSeconds(1))))
                        .as("events the sweep published").isEqualTo(1);
            }

            publishedOnceInOrderAndLeaseGivenBack(id);
            return counted.relayCommands();
        }
    }

    @Test
    void aNewAggregatesEventsArePublishedUnderTheLeaseItWasInsertedWithAndTheLeaseIsOnlyGivenBack() {
        // Inserted held by the relay: no claim before publishing, one fenced update after (before: a claim too).
        Map<String, Integer> commands = newAggregatePublished(false, Duration.ZERO);
        assertThat(commands).as("the relay's commands")
                .isEqualTo(Map.of("findAndModify", 1));
    }

    @Test
    void aNewAggregateWhoseQueuedPublishingWasDroppedIsPublishedByTheSweepUnderItsLease() {
        // The relay's queue is full (here: shut down, which drops the task as a full queue does): the next sweep of
        // what this instance left unfinished takes up the lease the aggregate was inserted with; a claim would find
        // it held (by this very relay) and leave it until the lease ran out.
        Map<String, Integer> commands = newAggregatePublished(true, Duration.ZERO);
        assertThat(commands).as("the sweep's commands")
                .isEqualTo(Map.of("findAndModify", 1));
    }

    @Test
    void aNewAggregateWhoseLeaseRanOutBeforeItsDrainIsTakenBackAndPublished() {
        // Queued longer than its lease lasts (here: dropped, and the sweep 31 s later by the relay's clock): the lease
        // is taken back from its own token and the events published; before, the drain found it run out, published
        // nothing and left the aggregate to the next full sweep, a minute later.
        Map<String, Integer> commands = newAggregatePublished(true, Duration.ofSeconds(31));
        assertThat(commands).as("the sweep's commands: the lease taken back, then given back")
                .isEqualTo(Map.of("findAndModify", 2));
    }

    /**
     * Saves a new aggregate with two events through an outbox whose relay publishes after the write (its queued task
     * dropped first when {@code dropped}, then published by {@link OutboxRelay#retryUnfinished} once the relay's clock
     * has gone on by {@code later}), checks that each event was published once in order and the lease given back, and
     * answers the commands the relay sent, by name.
     */
    private Map<String, Integer> newAggregatePublished(boolean dropped, Duration later) {
        org.pathways.testing.MutableClock clock = new org.pathways.testing.MutableClock();
        String id = newLearnerId();
        try (CountedRelay counted = new CountedRelay(Duration.ofSeconds(15), clock)) {
            if (dropped) {
                counted.dropQueued();
            }
            counted.outbox.save(new TrackedLearner(id, "LS9"), numbered(id, 0), numbered(id, 1));
            if (dropped) {
                assertThat(pendingOutbox(id)).as("not published: its queued task was dropped").hasSize(2);
                clock.advance(later);
                assertThat(counted.onSweepThread(() -> counted.relay.retryUnfinished(clock.instant().plusSeconds(1))))
                        .as("events the sweep published").isEqualTo(2);
            }
            publishedOnceInOrderAndLeaseGivenBack(id);
            return counted.relayCommands();
        }
    }

    @Test
    void severalPendingEventsAreRemovedTogetherOnceTheBrokerHasThemAndTheLeaseIsGivenBack() {
        String id = newLearnerId();
        Outbox crashing = crashingOutbox();
        TrackedLearner learner = crashing.save(new TrackedLearner(id, "LS9"), registered(id));
        learner.note = "second";
        crashing.save(learner, registered(id));
        List<String> expectedOrder = pendingOutbox(id).stream().map(d -> d.getString("eventId")).toList();

        assertThat(relay.drain("tracked-learners", id)).isEqualTo(2);

        assertThat(pendingOutbox(id)).isEmpty();
        assertThat(mongo.findById(id, Document.class, "tracked-learners")).doesNotContainKey("outboxLease")
                .containsEntry("outboxLeaseOwner", OutboxRelay.FREE);
        List<ConsumerRecord<String, byte[]>> records = topic.await(r -> about(r, id), 2, Duration.ofSeconds(20));
        assertThat(records.stream().map(r -> JSON.readTree(r.value()).get("id").asString()).toList())
                .isEqualTo(expectedOrder);
    }

    @Test
    void aRoundWhoseSendsAllFitInTheLeaseWritesTheAggregateTwiceHoweverManyEventsItPublishes() {
        // Claim and release only: the lease, taken for 30 s, outlasts each send (15 s at most, and the clocks'
        // margin), so no renewal is needed to know it is still held. Before, one renewal before each later event:
        // the catalogue's places consumer paid 1,850 such writes of large documents for 4,000 referral events.
        assertThat(relayWrites(Duration.ofSeconds(15), 5)).isEqualTo(2);
    }

    @Test
    void aSendThatCouldOutlastWhatIsLeftOfTheLeaseRenewsItFirst() {
        // A longest send of 29 s leaves too little of a 30 s lease after the clocks' margin: renewed (fenced) before
        // each of the five sends, between the claim and the release.
        assertThat(relayWrites(Duration.ofSeconds(29), 5)).isEqualTo(1 + 5 + 1);
    }

    /**
     * Publishes {@code events} pending events of a new aggregate with a relay whose longest send is
     * {@code longestSend}, in order, and answers how many writes (updates and find-and-modify) it sent to the
     * store to do so.
     */
    private int relayWrites(Duration longestSend, int events) {
        String id = newLearnerId();
        Outbox crashing = crashingOutbox();
        TrackedLearner learner = crashing.save(new TrackedLearner(id, "LS9"), numbered(id, 0));
        for (int i = 1; i < events; i++) {
            learner.note = "change " + i;
            learner = crashing.save(learner, numbered(id, i));
        }
        Map<String, Integer> commands;
        try (CountedRelay counted = new CountedRelay(longestSend, Clock.systemUTC())) {
            assertThat(counted.onSweepThread(() -> counted.relay.drain("tracked-learners", id))).isEqualTo(events);
            commands = counted.relayCommands();
        }
        List<ConsumerRecord<String, byte[]>> records = topic.await(r -> about(r, id), events, Duration.ofSeconds(20));
        assertThat(records.stream().map(r -> JSON.readTree(r.value()).get("data").get("localityCode").asString())
                .toList()).as("in the order they were written")
                .isEqualTo(java.util.stream.IntStream.range(0, events).mapToObj(i -> "S" + i).toList());
        assertThat(pendingOutbox(id)).isEmpty();
        assertThat(mongo.findById(id, Document.class, "tracked-learners")).doesNotContainKey("outboxLease")
                .containsEntry("outboxLeaseOwner", OutboxRelay.FREE);
        return commands.getOrDefault("update", 0) + commands.getOrDefault("findAndModify", 0);
    }

    /**
     * The aggregate's two events ({@code S0}, {@code S1}) are on the topic in the order they were written, each once,
     * and its outbox is empty with the relay's lease given back.
     */
    private void publishedOnceInOrderAndLeaseGivenBack(String id) {
        List<ConsumerRecord<String, byte[]>> records = topic.await(r -> about(r, id), 2, Duration.ofSeconds(20));
        assertThat(records.stream().map(r -> JSON.readTree(r.value()).get("data").get("localityCode").asString())
                .toList()).as("in the order they were written").containsExactly("S0", "S1");
        assertThat(topic.settle(r -> about(r, id), Duration.ofSeconds(2))).as("each once").hasSize(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> pendingOutbox(id).isEmpty()
                && !mongo.findById(id, Document.class, "tracked-learners").containsKey("outboxLease"));
        assertThat(mongo.findById(id, Document.class, "tracked-learners")).as("the lease given back")
                .containsEntry("outboxLeaseOwner", OutboxRelay.FREE);
    }

    /**
     * A relay of its own (one thread, a lease of 30 s) and an outbox publishing through it, over a client of their
     * own that counts every command sent from the relay's threads and from
     * {@link #onSweepThread} (the sweeper's pass, or a drain, as the test runs it): what the relay costs, read off
     * the wire.
     */
    private final class CountedRelay implements AutoCloseable {
        private static final String SWEEP = "sweep";
        final Map<String, Integer> commands = new java.util.concurrent.ConcurrentHashMap<>();
        final com.mongodb.client.MongoClient client;
        final OutboxRelay relay;
        final Outbox outbox;

        CountedRelay(Duration longestSend, Clock clock) {
            com.mongodb.event.CommandListener counter = new com.mongodb.event.CommandListener() {
                @Override
                public void commandStarted(com.mongodb.event.CommandStartedEvent event) {
                    String name = event.getCommandName();
                    String thread = Thread.currentThread().getName();
                    if (thread.startsWith("outbox-relay-") || thread.equals(SWEEP)) {
                        commands.merge(name, 1, Integer::sum);
                    }
                }
            };
            client = com.mongodb.client.MongoClients.create(com.mongodb.MongoClientSettings.builder()
                    .applyConnectionString(new com.mongodb.ConnectionString(SharedInfrastructure.mongoUri()))
                    .addCommandListener(counter).build());
            MongoTemplate template = new MongoTemplate(client, mongo.getDb().getName());
            relay = new OutboxRelay(template, streamBridge, codec, Duration.ofSeconds(30), longestSend, clock,
                    new SimpleMeterRegistry(), 1);
            outbox = new Outbox(template, relay, schemas,
                    Binder.get(environment).bind("pathways.messaging", MessagingProperties.class).get(),
                    java.net.URI.create("/pathways/messaging-test"), clock);
        }

        /** Shuts the relay's threads down: a task queued from now on is dropped, as a full queue drops it. */
        void dropQueued() {
            try {
                relay.destroy();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Runs {@code work} on a thread whose commands are counted (as the sweeper's would be), and answers it. */
        int onSweepThread(java.util.function.IntSupplier work) {
            java.util.concurrent.atomic.AtomicInteger answer = new java.util.concurrent.atomic.AtomicInteger(-1);
            Thread sweep = Thread.ofPlatform().name(SWEEP).start(() -> answer.set(work.getAsInt()));
            try {
                sweep.join(20_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            assertThat(sweep.isAlive()).as("the sweep finished within 20 s").isFalse();
            return answer.get();
        }

        /** The commands counted so far, by name (sorted, for a readable failure). */
        Map<String, Integer> relayCommands() {
            return new java.util.TreeMap<>(commands);
        }

        @Override
        public void close() {
            try {
                relay.destroy();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                client.close();
            }
        }
    }

    @Test
    void aStaleSaveIsRefusedAndWritesNeitherTheChangeNorItsEvents() {
        String id = newLearnerId();
        TrackedLearner first = crashingOutbox().save(new TrackedLearner(id, "LS1"), registered(id));
        TrackedLearner stale = mongo.findById(id, TrackedLearner.class);
        first.note = "first writer";
        crashingOutbox().save(first, registered(id));

        stale.note = "second writer";
        assertThatThrownBy(() -> crashingOutbox().save(stale, registered(id)))
                .isInstanceOf(OptimisticLockingFailureException.class);
        TrackedLearner stored = mongo.findById(id, TrackedLearner.class);
        assertThat(stored.note).isEqualTo("first writer");
        assertThat(stored.version).isEqualTo(1L);
        assertThat(pendingOutbox(id)).hasSize(2);
    }

    @Test
    void newAggregatesInsertedTogetherAreStoredInOneWriteSavingThoseNotThereAndLeavingTheOneAlreadyThereAsItWas() {
        String there = newLearnerId();
        outbox.save(new TrackedLearner(there, "LS1"));
        String first = newLearnerId();
        String last = newLearnerId();
        java.util.concurrent.atomic.AtomicInteger inserts = new java.util.concurrent.atomic.AtomicInteger();
        com.mongodb.event.CommandListener counter = new com.mongodb.event.CommandListener() {
            @Override
            public void commandStarted(com.mongodb.event.CommandStartedEvent event) {
                if (event.getCommandName().equals("insert")) {
                    inserts.incrementAndGet();
                }
            }
        };
        try (com.mongodb.client.MongoClient client = com.mongodb.client.MongoClients.create(
                com.mongodb.MongoClientSettings.builder()
                        .applyConnectionString(new com.mongodb.ConnectionString(SharedInfrastructure.mongoUri()))
                        .addCommandListener(counter).build())) {
            Outbox counted = new Outbox(new MongoTemplate(client, mongo.getDb().getName()), relay, schemas,
                    Binder.get(environment).bind("pathways.messaging", MessagingProperties.class).get(),
                    java.net.URI.create("/pathways/messaging-test"), Clock.systemUTC());
            List<TrackedLearner> stored = counted.insertAll(List.of(new TrackedLearner(first, "LS2"),
                    new TrackedLearner(there, "LS3"), new TrackedLearner(last, "LS4")));

            assertThat(stored).extracting(learner -> learner.id).containsExactly(first, last);
            assertThat(stored).extracting(learner -> learner.version).containsExactly(0L, 0L);
        }
        assertThat(inserts).hasValue(1);
        assertThat(mongo.findById(first, TrackedLearner.class).locality).isEqualTo("LS2");
        assertThat(mongo.findById(last, TrackedLearner.class).locality).isEqualTo("LS4");
        assertThat(mongo.findById(there, TrackedLearner.class).locality).isEqualTo("LS1");
        assertThat(mongo.findById(first, Document.class, "tracked-learners"))
                .containsEntry("outboxLeaseOwner", OutboxRelay.FREE);
        assertThat(pendingOutbox(first)).isEmpty();

        TrackedLearner storedFirst = mongo.findById(first, TrackedLearner.class);
        storedFirst.note = "changed after";
        outbox.save(storedFirst, registered(first));
        assertThat(mongo.findById(first, TrackedLearner.class).version).isEqualTo(1L);
    }

    @Test
    void anEventThatBreaksItsContractNeverEntersTheOutbox() {
        String id = newLearnerId();
        LearnerRegistered withEmailAsId = new LearnerRegistered("amina@example.org", "agency-college", "LS6",
                Instant.now());
        assertThatThrownBy(() -> outbox.save(new TrackedLearner(id, "LS6"), withEmailAsId))
                .isInstanceOf(EventSchemas.EventContractViolation.class);
        assertThat(mongo.findById(id, TrackedLearner.class)).isNull();
    }

    @Test
    void aPoisonMessageIsDeadLetteredAndTheNextGoodMessageIsStillProcessed() {
        String id = newLearnerId();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            // Same key as the good event: same partition, so the good one queues right behind the poison.
            producer.send(new ProducerRecord<>(TOPIC, id, "{not a cloud event".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
        outbox.save(new TrackedLearner(id, "LS2"), registered(id));

        await().atMost(Duration.ofSeconds(30)).until(() -> handledCount(id) == 1);
        List<ConsumerRecord<String, byte[]>> dead = deadLetters.await(r -> id.equals(r.key()), 1,
                Duration.ofSeconds(20));
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.getFirst().value(), StandardCharsets.UTF_8)).isEqualTo("{not a cloud event");
        // Only the poison was dead-lettered: the good event behind it was processed, not parked.
        assertThat(deadLetters.settle(r -> id.equals(r.key()), Duration.ofSeconds(1))).hasSize(1);
    }

    @Test
    void aHandlerThatKeepsFailingIsRetriedThenDeadLetteredWithoutBlockingThePartition() {
        String failing = MessagingTestApplication.FAILING_SUBJECT;
        String good = newLearnerId();
        outbox.save(new TrackedLearner("agg-" + UUID.randomUUID(), "LS3"), registered(failing));
        outbox.save(new TrackedLearner(good, "LS3"), registered(good));

        await().atMost(Duration.ofSeconds(30)).until(() -> handledCount(good) == 1);
        List<ConsumerRecord<String, byte[]>> dead = deadLetters.await(r -> failing.equals(r.key()), 1,
                Duration.ofSeconds(20));
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.getFirst().headers().lastHeader("x-exception-message").value(),
                StandardCharsets.UTF_8)).contains("handler failure");
    }

    @Test
    void anErasureWhoseHandlerFailsMoreOftenThanTheRetryLimitIsStillAppliedOnceTheFaultClears() {
        String id = newLearnerId();
        // The binder gives an ordinary event 4 attempts before dead-lettering it; this erasure fails 7 times.
        MessagingTestApplication.ERASURE_FAULTS.put(id, new java.util.concurrent.atomic.AtomicInteger(7));
        outbox.save(new TrackedLearner("agg-" + UUID.randomUUID(), "LS4"),
                new LearnerErased(id, "agency-college", Instant.now()));

        await().atMost(Duration.ofSeconds(30)).until(() -> MessagingTestApplication.ERASED.contains(id));
        assertThat(MessagingTestApplication.ERASURE_FAULTS.get(id).get()).isNegative();
        assertThat(MessagingTestApplication.ERASED).containsOnlyOnce(id);
        // Applied from the parking place, which it has left; never dead-lettered.
        await().atMost(Duration.ofSeconds(30)).until(() -> mongo.count(new org.springframework.data.mongodb.core
                .query.Query(), "parked-erasures") == 0);
        assertThat(deadLetters.settle(r -> id.equals(r.key()), Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void anEventAboutALearnerArrivingAfterTheirErasureReachesTheHandlerPseudonymised() {
        String id = newLearnerId();
        // The erasure handler is still failing (parked) when the late event arrives: the tombstone holds already.
        MessagingTestApplication.ERASURE_FAULTS.put(id, new java.util.concurrent.atomic.AtomicInteger(3));
        outbox.save(new TrackedLearner("agg-" + UUID.randomUUID(), "LS5"),
                new LearnerErased(id, "agency-college", Instant.now()));
        await().atMost(Duration.ofSeconds(20)).until(() -> mongo.findById(id, Document.class, "erased-learners")
                != null);
        String pseudonym = mongo.findById(id, Document.class, "erased-learners").getString("pseudonym");
        outbox.save(new TrackedLearner("agg-" + UUID.randomUUID(), "LS5"), registered(id));

        // Consumed (the handler saw it, under the pseudonym), and never with the erased id.
        await().atMost(Duration.ofSeconds(20)).until(() -> MessagingTestApplication.HANDLED.stream()
                .anyMatch(e -> e.learnerId().equals(pseudonym)));
        assertThat(pseudonym).startsWith("erased-").doesNotContain(id);
        assertThat(handledCount(id)).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> MessagingTestApplication.ERASED.contains(id));
    }

    @Test
    void aConsumedEventRedeliveredByKafkaIsNotProcessedAgain() {
        String id = newLearnerId();
        ReceivedEvent event = new ReceivedEvent(UUID.randomUUID().toString(), "org.pathways.learner.registered.v1",
                id, Instant.now(), "/test", JSON.writeValueAsBytes(registered(id)), null);
        int[] calls = {0};
        assertThat(inbox.handle("counting", event, e -> calls[0]++)).isTrue();
        assertThat(inbox.handle("counting", event, e -> calls[0]++)).isFalse();
        assertThat(calls[0]).isEqualTo(1);
        // A handler that failed is not marked done: the redelivery runs it again.
        ReceivedEvent other = new ReceivedEvent(UUID.randomUUID().toString(), event.type(), id, Instant.now(),
                "/test", event.data(), null);
        assertThatThrownBy(() -> inbox.handle("counting", other, e -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(inbox.handle("counting", other, e -> calls[0]++)).isTrue();
        assertThat(calls[0]).isEqualTo(2);
    }

    /** Reads the stored outbox entry the way the relay does. */
    static final class OutboxEntryReader {
        static OutboxEntry first(List<Document> pending) {
            Document d = pending.getFirst();
            return new OutboxEntry(d.getString("eventId"), d.getString("type"), d.getString("topic"),
                    d.getString("subject"), d.getDate("time").toInstant(), d.getString("dataschema"),
                    d.getString("source"), d.getString("data"), d.getString("traceparent"),
                    d.getDate("recordedAt").toInstant());
        }
    }
}
