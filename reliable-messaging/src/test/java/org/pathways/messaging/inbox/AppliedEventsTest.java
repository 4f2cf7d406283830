package org.pathways.messaging.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.testing.SharedInfrastructure;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Update;

/**
 * A handler's effect on one document, recorded with the event id in the same write, happens once even when the
 * process dies after the effect and before the inbox marks the event done (the event is then delivered again).
 */
class AppliedEventsTest {

    private static final String COUNTS = "applied-counts";
    private static MongoClient client;
    private static MongoTemplate mongo;

    @BeforeAll
    static void store() {
        client = MongoClients.create(SharedInfrastructure.mongoUri());
        mongo = new MongoTemplate(client, "applied-events-test");
    }

    @AfterAll
    static void close() {
        client.close();
    }

    private static EventInbox inbox() {
        Clock clock = Clock.systemUTC();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        return new EventInbox(mongo, new CloudEventCodec(), clock, Duration.ofDays(30), meters,
                new ErasedLearners(mongo), new ParkedErasures(mongo, clock, Duration.ofSeconds(1),
                Duration.ofMinutes(1), meters));
    }

    private static ReceivedEvent event() {
        return new ReceivedEvent(UUID.randomUUID().toString(), "org.pathways.referral.submitted.v1", "ref-1",
                Instant.now(), "/pathways/test", "{}".getBytes(StandardCharsets.UTF_8), null);
    }

    private static int count(String id) {
        Document document = mongo.findById(id, Document.class, COUNTS);
        return document == null ? 0 : document.getInteger("count", 0);
    }

    @Test
    void anEffectAppliedJustBeforeACrashIsNotAppliedAgainWhenTheEventIsDeliveredAgain() {
        AppliedEvents applied = new AppliedEvents(mongo, 1000);
        EventInbox inbox = inbox();
        String counter = "count-" + UUID.randomUUID();
        Consumer<ReceivedEvent> handler = received -> applied.applyOnce(COUNTS, counter, received.id(),
                new Update().inc("count", 1), true);
        ReceivedEvent event = event();

        // The handler ran and the process died before the inbox marked the event done...
        handler.accept(event);
        assertThat(count(counter)).isEqualTo(1);
        // ...so after the restart the event is delivered again, passes the inbox, and reaches the handler.
        inbox.handle("counting", event, handler);
        inbox.handle("counting", event, handler);

        assertThat(count(counter)).isEqualTo(1);
        assertThat(applied.applied(COUNTS, counter, event.id())).isTrue();
        // The next event counts.
        inbox.handle("counting", event(), handler);
        assertThat(count(counter)).isEqualTo(2);
    }

    /**
     * The crash between the effect and the done mark, made real: the store refuses the inbox's mark once, right after
     * the handler's effect (as a process dying there would leave it), the binder delivers the event again.
     */
    @Test
    void anEffectWhoseDoneMarkFailedIsAppliedOnceWhenTheEventIsDeliveredAgain() {
        java.util.concurrent.atomic.AtomicBoolean refuseNextMark = new java.util.concurrent.atomic.AtomicBoolean();
        MongoTemplate failingMarks = new MongoTemplate(client, "applied-events-test") {
            @Override
            public com.mongodb.client.result.UpdateResult upsert(
                    org.springframework.data.mongodb.core.query.Query query,
                    org.springframework.data.mongodb.core.query.UpdateDefinition update, String collection) {
                if (EventInbox.COLLECTION.equals(collection) && refuseNextMark.getAndSet(false)) {
                    throw new org.springframework.dao.DataAccessResourceFailureException("store gone after effect");
                }
                return super.upsert(query, update, collection);
            }
        };
        Clock clock = Clock.systemUTC();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        EventInbox inbox = new EventInbox(failingMarks, new CloudEventCodec(), clock, Duration.ofDays(30), meters,
                new ErasedLearners(mongo), new ParkedErasures(mongo, clock, Duration.ofSeconds(1),
                Duration.ofMinutes(1), meters));
        inbox.setTransactions(EffectTransactions.detect(null, mongo, EffectTransactions.Mode.AUTO));
        AppliedEvents applied = new AppliedEvents(mongo, 1000);
        String counter = "count-" + UUID.randomUUID();
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        Consumer<ReceivedEvent> handler = received -> {
            runs.incrementAndGet();
            applied.applyOnce(COUNTS, counter, received.id(), new Update().inc("count", 1), true);
        };
        ReceivedEvent event = event();

        refuseNextMark.set(true);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> inbox.handle("marking", event, handler))
                .isInstanceOf(org.springframework.dao.DataAccessResourceFailureException.class);
        assertThat(count(counter)).isEqualTo(1);
        // Delivered again: the inbox has no mark, so the handler runs again, and its effect is not applied again.
        assertThat(inbox.handle("marking", event, handler)).isTrue();
        assertThat(inbox.handle("marking", event, handler)).isFalse();

        assertThat(runs).hasValue(2);
        assertThat(count(counter)).isEqualTo(1);
    }

    @Test
    void theEmbeddedStoreHasNoTransactionsSoAHandlerSpanningDocumentsRunsOnItsOwnGuards() {
        assertThat(EffectTransactions.supported(mongo)).isFalse();
        EventInbox inbox = inbox();
        inbox.setTransactions(EffectTransactions.detect(null, mongo, EffectTransactions.Mode.AUTO));
        inbox.consumerSpanningDocuments("spanning", received -> { });
        assertThat(inbox.inTransaction("spanning")).isFalse();

        String first = "count-" + UUID.randomUUID();
        String second = "count-" + UUID.randomUUID();
        AppliedEvents applied = new AppliedEvents(mongo, 1000);
        Consumer<ReceivedEvent> twoDocuments = received -> {
            applied.applyOnce(COUNTS, first, received.id(), new Update().inc("count", 1), true);
            applied.applyOnce(COUNTS, second, received.id(), new Update().inc("count", 1), true);
        };
        ReceivedEvent event = event();
        twoDocuments.accept(event);   // applied, then the process died before the mark
        inbox.handle("spanning", event, twoDocuments);
        assertThat(count(first)).isEqualTo(1);
        assertThat(count(second)).isEqualTo(1);
        assertThat(EffectTransactions.detect(null, mongo, EffectTransactions.Mode.NEVER).available()).isFalse();
    }

    @Test
    void withoutTheEventIdInTheSameWriteTheSameCrashCountsTwice() {
        EventInbox inbox = inbox();
        String counter = "count-" + UUID.randomUUID();
        Consumer<ReceivedEvent> plainIncrement = received -> mongo.upsert(
                org.springframework.data.mongodb.core.query.Query.query(
                        org.springframework.data.mongodb.core.query.Criteria.where("_id").is(counter)),
                new Update().inc("count", 1), COUNTS);
        ReceivedEvent event = event();

        plainIncrement.accept(event);
        inbox.handle("plain-counting", event, plainIncrement);

        assertThat(count(counter)).as("what the inbox alone allows").isEqualTo(2);
    }

    @Test
    void aDocumentKeepsOnlyTheLastIdsAndAnEffectOnAMissingDocumentNeedsUpsert() {
        AppliedEvents applied = new AppliedEvents(mongo, 3);
        String id = "count-" + UUID.randomUUID();

        assertThat(applied.applyOnce(COUNTS, id, "evt-0", new Update().inc("count", 1), false)).isFalse();
        assertThat(count(id)).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(applied.applyOnce(COUNTS, id, "evt-" + i, new Update().inc("count", 1), true)).isTrue();
        }
        assertThat(applied.applyOnce(COUNTS, id, "evt-4", new Update().inc("count", 1), true)).isFalse();

        assertThat(count(id)).isEqualTo(5);
        assertThat(mongo.findById(id, Document.class, COUNTS).getList(AppliedEvents.FIELD, String.class))
                .isEqualTo(List.of("evt-2", "evt-3", "evt-4"));
    }
}
