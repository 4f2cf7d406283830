package org.pathways.catalogue.places;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.events.Topic;
import org.pathways.events.catalogue.EventType;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.testing.EventProducer;
import org.pathways.testing.TestTokens;
import org.pathways.testing.TopicRecorder;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Referral events are published by type string, as the referral-service would: the catalogue reads them without
 * depending on the referral-service's records.
 */
class PlacesFromReferralsTest extends OpportunityCatalogueServiceTest {

    private static EventProducer producer;
    private static TopicRecorder opportunityTopic;

    @Autowired
    EventInbox inbox;
    @Autowired
    org.springframework.data.mongodb.core.MongoTemplate mongo;

    @BeforeAll
    static void connect() {
        producer = new EventProducer();
        opportunityTopic = new TopicRecorder(Topic.OPPORTUNITIES.topicName());
    }

    @AfterAll
    static void disconnect() {
        producer.close();
        opportunityTopic.close();
    }

    private static String referralEvent(String eventId, String event, String referralId, String opportunityId) {
        return producer.publishRaw(Topic.REFERRALS.topicName(), eventId, "org.pathways.referral." + event + ".v1",
                referralId, Map.of("referralId", referralId, "opportunityId", opportunityId,
                "learnerId", "lrn-1", "referringAgencyId", COUNCIL, "receivingAgencyId", COLLEGE,
                "at", OffsetDateTime.now(ZoneOffset.UTC).toString()));
    }

    private static String referralEvent(String event, String referralId, String opportunityId) {
        return referralEvent(UUID.randomUUID().toString(), event, referralId, opportunityId);
    }

    private JsonNode opportunity(String id) {
        return api().get("/api/opportunities/" + id, TestTokens.worker(COLLEGE)).body();
    }

    private void awaitProcessed(long before, int more) {
        await().atMost(EVENT_DEADLINE).until(() -> inbox.processedCount(PlacesFromReferrals.HANDLER) >= before + more);
    }

    /** As the opportunity shows it: the handler's count above is every test's, which a late event of another moves. */
    private void awaitPlacesTaken(String id, int taken) {
        await().atMost(EVENT_DEADLINE).until(() -> opportunity(id).path("placesTaken").asInt() == taken);
    }

    @Test
    void placesFollowReferralsIdempotentlyAndAreAnnounced() {
        Map<String, Object> details = opportunityDetails();
        details.put("capacity", 2);
        details.put("waitlistOpen", true);
        String id = published(COLLEGE, details);
        long before = inbox.processedCount(PlacesFromReferrals.HANDLER);

        String accepted = referralEvent("accepted", "ref-a-" + id, id);
        referralEvent(accepted, "accepted", "ref-a-" + id, id); // redelivery of the same event
        referralEvent("started", "ref-a-" + id, id);             // the same referral, a later step
        referralEvent("accepted", "ref-a-" + id, id);            // a repeat with a new event id
        awaitProcessed(before, 3);
        awaitPlacesTaken(id, 1);

        referralEvent("accepted", "ref-b-" + id, id);
        await().atMost(EVENT_DEADLINE).until(() -> "FULL".equals(opportunity(id).path("status").asString()));
        assertThat(opportunity(id).path("placesLeft").asInt()).isZero();

        referralEvent("cancelled", "ref-a-" + id, id);
        referralEvent("failed", "ref-x-" + id, id);              // never held a place: no change
        // The marker below shows the "failed" one was taken too.
        awaitProcessed(before, 6);
        awaitPlacesTaken(id, 1);
        assertThat(opportunity(id).path("status").asString()).isEqualTo("PUBLISHED");
        referralEvent("accepted", "ref-c-" + id, id);            // the marker: a change announced after all of those
        await().atMost(EVENT_DEADLINE).until(() -> "FULL".equals(opportunity(id).path("status").asString()));

        opportunityTopic.await(r -> isOfType(r, id, EventType.OPPORTUNITY_PLACES_CHANGED.type())
                && ("ref-c-" + id).equals(cloudEvent(r).path("data").path("referralId").asString()), 1, EVENT_DEADLINE);
        List<ConsumerRecord<String, byte[]>> changes = opportunityTopic.recorded(
                r -> isOfType(r, id, EventType.OPPORTUNITY_PLACES_CHANGED.type()));
        assertThat(changes.stream().map(r -> cloudEvent(r).path("data").path("placesTaken").asInt()))
                .as("repeats, redeliveries and a referral that never held a place announced nothing")
                .containsExactly(1, 2, 1, 2);
        JsonNode full = cloudEvent(changes.get(1)).path("data");
        assertThat(full.path("status").asString()).isEqualTo("FULL");
        assertThat(full.path("waitlistOpen").asBoolean()).isTrue();
        assertThat(full.path("referralId").asString()).isEqualTo("ref-b-" + id);
    }

    /** The ETag a GET answers with, as the number an edit sends back in If-Match. */
    private long etag(String id) throws Exception {
        java.net.http.HttpResponse<String> read = java.net.http.HttpClient.newHttpClient().send(
                api().request("/api/opportunities/" + id, TestTokens.worker(COLLEGE)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return Long.parseLong(read.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
    }

    @Test
    void placesTakenMeanwhileDoNotTurnAwayAPersonsEditButAnotherPersonsEditDoes() throws Exception {
        Map<String, Object> details = opportunityDetails();
        details.put("capacity", 5);
        String id = published(COLLEGE, details);
        long read = etag(id);
        long before = inbox.processedCount(PlacesFromReferrals.HANDLER);

        // While the provider edits, a referral is accepted: a place is taken (the opportunity's version moves on).
        referralEvent("accepted", "ref-edit-" + id, id);
        awaitProcessed(before, 1);
        awaitPlacesTaken(id, 1);
        details.put("capacity", 8);
        var edited = put("/api/opportunities/" + id, TestTokens.worker(COLLEGE), details, read);

        assertThat(edited.status()).as(String.valueOf(edited.body())).isEqualTo(200);
        assertThat(edited.body().path("capacity").asInt()).isEqualTo(8);
        assertThat(edited.body().path("placesTaken").asInt()).as("the place taken is kept").isEqualTo(1);

        // Two people edit from the same read: the second is told someone changed it meanwhile.
        long both = etag(id);
        details.put("title", "ESOL Entry 2, first person's title");
        assertThat(put("/api/opportunities/" + id, TestTokens.worker(COLLEGE), details, both).status())
                .isEqualTo(200);
        details.put("title", "ESOL Entry 2, second person's title");
        assertThat(put("/api/opportunities/" + id, TestTokens.worker(COLLEGE), details, both)
                .isProblem(409, "stale-version")).isTrue();
        assertThat(opportunity(id).path("title").asString()).isEqualTo("ESOL Entry 2, first person's title");
        assertThat(opportunity(id).path("placesTaken").asInt()).isEqualTo(1);
    }

    /**
     * An opportunity stored before revisions (no {@code revision}): the ETag a provider's system read then (its
     * version) is still the current one if nothing changed, places taken since do not move it, and an older one is
     * stale, never taken for a later revision.
     */
    @Test
    void anOpportunityStoredBeforeRevisionsKeepsTheETagItHadThen() throws Exception {
        Map<String, Object> details = opportunityDetails();
        details.put("capacity", 5);
        String id = published(COLLEGE, details);
        long before = inbox.processedCount(PlacesFromReferrals.HANDLER);
        referralEvent("accepted", "ref-old-1-" + id, id);
        awaitProcessed(before, 1);
        awaitPlacesTaken(id, 1);
        mongo.updateFirst(org.springframework.data.mongodb.core.query.Query.query(
                        org.springframework.data.mongodb.core.query.Criteria.where("_id").is(id)),
                new org.springframework.data.mongodb.core.query.Update().unset("revision").inc("version", 1),
                "opportunities");
        long version = opportunity(id).path("version").asLong();
        assertThat(etag(id)).as("the version stands for the revision it never had").isEqualTo(version);

        referralEvent("accepted", "ref-old-2-" + id, id);
        awaitProcessed(before, 2);
        awaitPlacesTaken(id, 2);
        assertThat(etag(id)).as("a place taken since is no change of a person's").isEqualTo(version);
        assertThat(put("/api/opportunities/" + id, TestTokens.worker(COLLEGE), details, version - 1)
                .isProblem(409, "stale-version")).as("an ETag older than the upgrade").isTrue();
        details.put("capacity", 9);
        var edited = put("/api/opportunities/" + id, TestTokens.worker(COLLEGE), details, version);
        assertThat(edited.status()).as(String.valueOf(edited.body())).isEqualTo(200);
        assertThat(etag(id)).isEqualTo(version + 1);
    }

    @Test
    void aCompletedReferralFreesItsPlaceAndLateOrOutOfOrderEventsTakeNoPlaceAgain() {
        Map<String, Object> details = opportunityDetails();
        details.put("capacity", 1);
        String id = published(COLLEGE, details);
        long before = inbox.processedCount(PlacesFromReferrals.HANDLER);

        referralEvent("accepted", "ref-1-" + id, id);
        await().atMost(EVENT_DEADLINE).until(() -> "FULL".equals(opportunity(id).path("status").asString()));
        referralEvent("completed", "ref-1-" + id, id);
        await().atMost(EVENT_DEADLINE).until(() -> "PUBLISHED".equals(opportunity(id).path("status").asString()));
        assertThat(opportunity(id).path("placesLeft").asInt()).as("the learner finished: the place is free").isOne();

        referralEvent("started", "ref-1-" + id, id);     // late (say, replayed): the learner has already finished
        referralEvent("completed", "ref-2-" + id, id);   // out of order: the completion before its acceptance
        referralEvent("accepted", "ref-2-" + id, id);
        referralEvent("started", "ref-2-" + id, id);
        awaitProcessed(before, 6);
        assertThat(opportunity(id).path("placesTaken").asInt()).isZero();
        assertThat(opportunity(id).path("status").asString()).isEqualTo("PUBLISHED");

        referralEvent("started", "ref-3-" + id, id);     // a referral that really takes the place
        await().atMost(EVENT_DEADLINE).until(() -> "FULL".equals(opportunity(id).path("status").asString()));
        List<ConsumerRecord<String, byte[]>> changes = opportunityTopic.await(
                r -> isOfType(r, id, EventType.OPPORTUNITY_PLACES_CHANGED.type()), 3, EVENT_DEADLINE);
        assertThat(changes.stream().map(r -> cloudEvent(r).path("data").path("referralId").asString() + "="
                + cloudEvent(r).path("data").path("placesTaken").asInt()))
                .containsExactly("ref-1-" + id + "=1", "ref-1-" + id + "=0", "ref-3-" + id + "=1");
        assertThat(opportunityTopic.recorded(r -> isOfType(r, id, EventType.OPPORTUNITY_PLACES_CHANGED.type())))
                .as("the late and out-of-order events, handled before ref-3, announced nothing").hasSize(3);
    }

    @Test
    void eventsItDoesNotNeedOrCannotPlaceAreIgnored() {
        String id = published(COLLEGE, opportunityDetails());
        long before = inbox.processedCount(PlacesFromReferrals.HANDLER);

        String submitted = referralEvent("submitted", "ref-s-" + id, id);
        referralEvent("accepted", "ref-u-" + id, "opp-unknown-" + UUID.randomUUID());
        referralEvent("accepted", "ref-k-" + id, id);

        // A submission takes no place: passed over before the inbox (no look-up, no mark), so two events are marked.
        awaitProcessed(before, 2);
        await().atMost(EVENT_DEADLINE).until(() -> opportunity(id).path("placesTaken").asInt() == 1);
        assertThat(mongo.findById(PlacesFromReferrals.HANDLER + ":" + submitted, org.bson.Document.class, "inbox"))
                .as("the submission's mark").isNull();
    }
}
