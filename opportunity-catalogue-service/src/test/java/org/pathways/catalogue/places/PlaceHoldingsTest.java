package org.pathways.catalogue.places;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityRepository;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.testing.MongoQueryLog;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Place holdings kept apart from the opportunity (issue 14: the cost of an event must not grow with what is stored):
 * the events are handed to the handler on the test's thread, so that what it sends to the store can be read off the
 * wire, and so that a handling interrupted between its writes can be staged exactly.
 */
class PlaceHoldingsTest extends OpportunityCatalogueServiceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    PlacesFromReferrals places;
    @Autowired
    HoldingsMovedOut movedOut;
    @Autowired
    OpportunityRepository opportunities;
    @Autowired
    Outbox outbox;
    @Autowired
    MongoTemplate mongo;
    @Autowired
    MongoQueryLog log;

    @AfterEach
    void restoreLog() {
        log.recordOn(MongoQueryLog.WEB_THREADS);
    }

    private void handle(String event, String referralId, String opportunityId) {
        places.onReferralEvent(event(event, referralId, opportunityId));
    }

    private static ReceivedEvent event(String event, String referralId, String opportunityId) {
        byte[] data = JSON.writeValueAsString(Map.of("referralId", referralId, "opportunityId", opportunityId,
                "learnerId", "lrn-1", "referringAgencyId", COUNCIL, "receivingAgencyId", COLLEGE,
                "at", Instant.now().toString())).getBytes(StandardCharsets.UTF_8);
        return new ReceivedEvent(UUID.randomUUID().toString(),
                "org.pathways.referral." + event + ".v1", referralId, Instant.now(), "test", data, null);
    }

    /** Hands {@code events} to the handler as the batch consumer does: read ahead, each in order, written at the end. */
    private void batch(ReceivedEvent... events) {
        org.pathways.messaging.inbox.BatchScope scope = places.batchScope();
        try {
            scope.begin(List.of(events));
            for (ReceivedEvent event : events) {
                places.onReferralEvent(event);
            }
            scope.complete();
        } finally {
            scope.close();
        }
    }

    private static void assertByIdOnly(List<MongoQueryLog.Read> reads) {
        assertThat(reads).allSatisfy(read -> {
            assertThat(read.filter().keySet()).as(read.toString()).first().isEqualTo("_id");
            // Exactly the fields of _id or of a unique index that leads with it: what the embedded store serves.
            assertThat(Set.of(List.of("_id"), List.of("_id", "step"), List.of("_id", "version")))
                    .as(read.toString()).contains(List.copyOf(read.filter().keySet()));
        });
    }

    private JsonNode opportunity(String id) {
        return api().get("/api/opportunities/" + id, TestTokens.worker(COLLEGE)).body();
    }

    private String publishedWithCapacity(int capacity) {
        Map<String, Object> details = opportunityDetails();
        details.put("capacity", capacity);
        return published(COLLEGE, details);
    }

    @Test
    void everyLookupIsByIdAndTheOpportunityDoesNotGrowWithItsReferrals() {
        String id = publishedWithCapacity(100);
        String thread = Thread.currentThread().getName();
        log.recordOn(thread::equals);
        log.clear();
        for (int i = 0; i < 30; i++) {
            handle("accepted", "ref-" + i + "-" + id, id);
        }
        handle("started", "ref-0-" + id, id);
        handle("completed", "ref-1-" + id, id);
        handle("accepted", "ref-1-" + id, id);     // late: ended, takes no place again

        // The places' own reads and writes (the search index, told of each change, reads the provider's agency).
        List<MongoQueryLog.Read> reads = log.reads().stream()
                .filter(read -> List.of("opportunities", PlaceHolding.COLLECTION).contains(read.collection())).toList();
        assertThat(reads).extracting(MongoQueryLog.Read::collection).contains(PlaceHolding.COLLECTION);
        assertThat(reads).allSatisfy(read -> {
            assertThat(read.filter().keySet()).as(read.toString()).first().isEqualTo("_id");
            // Exactly the fields of _id or of a unique index that leads with it: what the embedded store serves.
            assertThat(Set.of(List.of("_id"), List.of("_id", "step"), List.of("_id", "version")))
                    .as(read.toString()).contains(List.copyOf(read.filter().keySet()));
        });
        assertThat(opportunity(id).path("placesTaken").asInt()).isEqualTo(29);
        // The events of the changes wait in the document's outbox until the relay has published them (on a busy
        // machine, a while): once it has, nothing of the referrals stays.
        org.awaitility.Awaitility.await().atMost(EVENT_DEADLINE).until(() -> mongo.findById(id, Document.class,
                "opportunities").getList("outbox", Object.class, List.of()).isEmpty());
        Document stored = mongo.findById(id, Document.class, "opportunities");
        assertThat(stored.toJson()).as("no referral is kept in the opportunity").doesNotContain("ref-");
        assertThat(mongo.count(Query.query(Criteria.where("opportunityId").is(id)), PlaceHolding.class)).isEqualTo(30);
    }

    @Test
    void aHandlingInterruptedBetweenItsWritesIsFinishedWhenRepeatedAndCountedOnce() {
        String id = publishedWithCapacity(5);
        Instant now = Instant.now();
        // Stopped after marking the holding: the place was not counted yet.
        String first = "ref-first-" + id;
        mongo.insert(new PlaceHolding(PlaceHolding.id(id, first), id, first, PlaceHolding.Step.TAKING, now));
        // Stopped after counting: the opportunity counted the place and remembers the change.
        String second = "ref-second-" + id;
        PlaceHolding counted = new PlaceHolding(PlaceHolding.id(id, second), id, second, PlaceHolding.Step.TAKING, now);
        mongo.insert(counted);
        Opportunity opportunity = opportunities.findById(id).orElseThrow();
        outbox.save(opportunity, opportunity.takePlace(second, counted.changeId(), now).events());
        assertThat(opportunity(id).path("placesTaken").asInt()).isEqualTo(1);

        handle("accepted", first, id);               // redelivered
        handle("accepted", second, id);              // redelivered
        assertThat(opportunity(id).path("placesTaken").asInt()).as("each counted once").isEqualTo(2);
        assertThat(opportunities.findById(id).orElseThrow().placeChangesInFlight()).as("and forgotten").isEmpty();
        assertThat(mongo.findById(PlaceHolding.id(id, second), PlaceHolding.class).step())
                .isEqualTo(PlaceHolding.Step.HOLDING);

        // A release that stopped after marking the holding as releasing, then its event again.
        mongo.updateFirst(Query.query(Criteria.where("_id").is(PlaceHolding.id(id, first))),
                new Update().set("step", PlaceHolding.Step.RELEASING), PlaceHolding.class);
        handle("cancelled", first, id);
        handle("cancelled", first, id);
        assertThat(opportunity(id).path("placesTaken").asInt()).isEqualTo(1);
        handle("accepted", first, id);
        assertThat(opportunity(id).path("placesTaken").asInt()).as("ended: never takes a place again").isEqualTo(1);
    }

    @Test
    void aBatchLooksUpByIdOnlyAndFinishesHandlingsInterruptedBetweenTheirWritesOnce() {
        String id = publishedWithCapacity(5);
        Instant now = Instant.now();
        // Stopped after marking the holding (not counted yet), and stopped after counting (remembered).
        String first = "ref-first-" + id;
        mongo.insert(new PlaceHolding(PlaceHolding.id(id, first), id, first, PlaceHolding.Step.TAKING, now));
        String second = "ref-second-" + id;
        PlaceHolding counted = new PlaceHolding(PlaceHolding.id(id, second), id, second, PlaceHolding.Step.TAKING, now);
        mongo.insert(counted);
        Opportunity opportunity = opportunities.findById(id).orElseThrow();
        outbox.save(opportunity, opportunity.takePlace(second, counted.changeId(), now).events());
        String third = "ref-third-" + id;
        String fourth = "ref-fourth-" + id;
        String thread = Thread.currentThread().getName();
        log.recordOn(thread::equals);
        log.clear();

        batch(event("accepted", first, id),          // redelivered
                event("accepted", second, id),       // redelivered
                event("accepted", third, id),        // taken and ended in the same batch
                event("cancelled", third, id),
                event("completed", fourth, id),      // ended before it was accepted
                event("accepted", fourth, id),
                event("accepted", "ref-elsewhere", "opp-unknown-" + UUID.randomUUID()));

        assertByIdOnly(log.reads().stream()
                .filter(read -> List.of("opportunities", PlaceHolding.COLLECTION).contains(read.collection())).toList());
        assertThat(opportunity(id).path("placesTaken").asInt()).as("each counted once").isEqualTo(2);
        // Forgotten by the opportunity's next save, or once it has gone quiet, in a save of its own.
        org.awaitility.Awaitility.await().atMost(EVENT_DEADLINE).untilAsserted(() -> assertThat(
                opportunities.findById(id).orElseThrow().placeChangesInFlight()).as("and forgotten").isEmpty());
        assertThat(List.of(first, second, third, fourth)).extracting(referral -> mongo.findById(
                        PlaceHolding.id(id, referral), PlaceHolding.class).step())
                .containsExactly(PlaceHolding.Step.HOLDING, PlaceHolding.Step.HOLDING, PlaceHolding.Step.ENDED,
                        PlaceHolding.Step.ENDED);

        // The same batch again (a redelivery): nothing changes.
        batch(event("accepted", first, id), event("cancelled", third, id), event("accepted", fourth, id));
        assertThat(opportunity(id).path("placesTaken").asInt()).isEqualTo(2);
    }

    @Test
    void holdingsKeptInsideOpportunitiesByEarlierVersionsAreMovedOutOnceAndStillCount() {
        String id = publishedWithCapacity(2);
        String holding = "ref-held-" + id;
        String another = "ref-another-" + id;
        String ended = "ref-ended-" + id;
        // As an earlier version stored it: who holds a place and who ended, inside the opportunity, and no count.
        mongo.updateFirst(Query.query(Criteria.where("_id").is(id)), new Update()
                .set("placeHolders", List.of(holding, another)).set("endedReferrals", List.of(ended))
                .unset("placesTaken").set("status", "FULL"), "opportunities");

        assertThat(movedOut.moveAll()).isGreaterThanOrEqualTo(1);
        assertThat(movedOut.moveAll()).as("again: nothing left to move").isZero();

        Document stored = mongo.findById(id, Document.class, "opportunities");
        assertThat(stored).doesNotContainKeys("placeHolders", "endedReferrals");
        assertThat(opportunity(id).path("placesTaken").asInt()).isEqualTo(2);
        handle("accepted", holding, id);             // holds one already
        handle("accepted", ended, id);               // ended before the move: still takes none
        assertThat(opportunity(id).path("placesTaken").asInt()).isEqualTo(2);
        assertThat(opportunity(id).path("status").asString()).isEqualTo("FULL");
        handle("completed", holding, id);
        assertThat(opportunity(id).path("placesTaken").asInt()).isEqualTo(1);
        assertThat(opportunity(id).path("status").asString()).isEqualTo("PUBLISHED");
    }
}
