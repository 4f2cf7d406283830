package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pathways.notification.LearnerEvents.consent;
import static org.pathways.notification.LearnerEvents.learnerEvent;
import static org.pathways.notification.LearnerEvents.milestone;
import static org.pathways.notification.LearnerEvents.now;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.events.catalogue.EventType;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.testing.Backlog;
import org.pathways.testing.HandledEvents;
import org.pathways.testing.TopicRecorder;
import org.pathways.testing.WebhookReceiver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.databind.JsonNode;

/**
 * The consumers take their events in batches (issue 14): a backlog is put on a topic while the consumer's binding is
 * stopped, so it arrives in one poll, and everything a single event gets still holds: each webhook once, the feed in
 * order per referral, a poison record dead-lettered without holding up its neighbours, a batch delivered again
 * repeating nothing, and consent and erasure taking effect for the events after them in the same batch.
 */
class BatchConsumptionTest extends NotificationServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String REFERRALS = "referralEvents-in-0";
    private static final String LEARNERS = "learnerEvents-in-0";
    private static final String REFERRAL_HANDLER = "referral-events";
    private static final String LEARNER_HANDLER = "learner-events";
    private static final String RECEIVED = EventType.REFERRAL_RECEIVED.type();
    private static final String ACCEPTED = EventType.REFERRAL_ACCEPTED.type();
    private static final String MILESTONE = "org.pathways.learner.milestone-recorded.v1";

    @Autowired
    BindingsLifecycleController bindings;

    /** Publishes {@code events} while {@code binding} is stopped, so that its consumer polls them as a backlog. */
    private void asOneBacklog(String binding, ReferralEvents producer, List<OutboxEntry> events) {
        Backlog.publish(bindings, binding, () -> {
            for (OutboxEntry event : events) {
                producer.publish(event);
            }
        });
    }

    private void awaitHandled(String handler, Collection<OutboxEntry> events) {
        Backlog.awaitHandled(mongo, handler, events.stream().map(OutboxEntry::eventId).toList(), PATIENCE);
    }

    @Test
    void aBatchForSeveralAgenciesDeliversEveryWebhookOnceAndFeedsEachReferralsEventsInOrder() throws Exception {
        String council = AgencyFeedTest.agency("council");
        List<String> colleges = List.of(AgencyFeedTest.agency("college"), AgencyFeedTest.agency("college"));
        try (WebhookReceiver councils = new WebhookReceiver(); WebhookReceiver first = new WebhookReceiver();
             WebhookReceiver second = new WebhookReceiver(); ReferralEvents producer = new ReferralEvents()) {
            subscribe(council, councils.url(), SUBMITTED, RECEIVED, ACCEPTED);
            subscribe(colleges.get(0), first.url(), SUBMITTED, RECEIVED, ACCEPTED);
            subscribe(colleges.get(1), second.url(), SUBMITTED, RECEIVED, ACCEPTED);
            List<List<OutboxEntry>> referrals = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String referralId = "ref-" + UUID.randomUUID();
                String college = colleges.get(i % 2);
                referrals.add(List.of(ReferralEvents.submitted(referralId, council, college),
                        step(RECEIVED, referralId, council, college, "RECEIVED"),
                        step(ACCEPTED, referralId, council, college, "ACCEPTED")));
            }
            // Every referral's first step, then every second, then every third: interleaved, in order per referral.
            List<OutboxEntry> backlog = new ArrayList<>();
            for (int step = 0; step < 3; step++) {
                for (List<OutboxEntry> referral : referrals) {
                    backlog.add(referral.get(step));
                }
            }

            asOneBacklog(REFERRALS, producer, backlog);
            awaitHandled(REFERRAL_HANDLER, backlog);

            await().atMost(PATIENCE).until(() -> councils.count() == 18 && first.count() == 9 && second.count() == 9);
            assertThat(webhookIds(councils)).containsExactlyInAnyOrderElementsOf(ids(backlog));
            assertThat(webhookIds(first)).containsExactlyInAnyOrderElementsOf(ids(backlog.stream()
                    .filter(event -> event.data().contains(colleges.get(0))).toList()));
            assertThat(webhookIds(second)).containsExactlyInAnyOrderElementsOf(ids(backlog.stream()
                    .filter(event -> event.data().contains(colleges.get(1))).toList()));
            // Delivered is final: nothing more comes.
            await().atMost(PATIENCE).until(() -> backlog.stream().allMatch(event -> deliveries(event.eventId())
                    .stream().allMatch(delivery -> "DELIVERED".equals(delivery.getString("status")))));
            assertThat(councils.count()).isEqualTo(18);

            List<String> councilFeed = feedEventIds(council);
            assertThat(councilFeed).containsExactlyInAnyOrderElementsOf(ids(backlog));
            for (List<OutboxEntry> referral : referrals) {
                assertThat(councilFeed.stream().filter(ids(referral)::contains).toList())
                        .as("one referral's events in the order they happened").containsExactlyElementsOf(ids(referral));
            }
        }
    }

    @Test
    void aPoisonRecordInTheMiddleOfABatchIsDeadLetteredAndItsNeighboursAreStillDelivered() throws Exception {
        String college = AgencyFeedTest.agency("college");
        try (WebhookReceiver receiver = new WebhookReceiver(); ReferralEvents producer = new ReferralEvents();
             TopicRecorder deadLetters = new TopicRecorder("pathways.dlq.notification-service")) {
            subscribe(college, receiver.url(), SUBMITTED);
            OutboxEntry before = ReferralEvents.submitted("agency-council", college);
            OutboxEntry after = ReferralEvents.submitted("agency-council", college);
            // An event id outside the published pattern: malformed, never retried.
            String poisonId = "poison " + UUID.randomUUID();
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            OutboxEntry poison = new OutboxEntry(poisonId, SUBMITTED, "pathways.referrals", before.subject(), now,
                    before.dataschema(), before.source(), before.data(), before.traceparent(), now);

            asOneBacklog(REFERRALS, producer, List.of(before, poison, after));

            await().atMost(PATIENCE).until(() -> receiver.count() == 2);
            assertThat(webhookIds(receiver)).containsExactlyInAnyOrder(before.eventId(), after.eventId());
            assertThat(deadLetters.await(record -> new String(record.value(), StandardCharsets.UTF_8)
                    .contains(poisonId), 1, PATIENCE)).hasSize(1);
            awaitHandled(REFERRAL_HANDLER, List.of(before, after));
            assertThat(HandledEvents.handled(mongo, REFERRAL_HANDLER, poisonId)).isFalse();
        }
    }

    @Test
    void aBatchDeliveredAgainAfterACrashBeforeItsDoneMarksRepeatsNothing() throws Exception {
        String council = AgencyFeedTest.agency("council");
        String college = AgencyFeedTest.agency("college");
        try (WebhookReceiver receiver = new WebhookReceiver(); ReferralEvents producer = new ReferralEvents()) {
            subscribe(college, receiver.url(), SUBMITTED);
            List<OutboxEntry> backlog = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                backlog.add(ReferralEvents.submitted(council, college));
            }
            asOneBacklog(REFERRALS, producer, backlog);
            awaitHandled(REFERRAL_HANDLER, backlog);
            await().atMost(PATIENCE).until(() -> receiver.count() == 4);

            // As if the instance died after routing the batch and before marking it done: the same events again, in
            // one batch (each of them twice).
            mongo.remove(Query.query(Criteria.where("_id").in(backlog.stream()
                    .map(event -> REFERRAL_HANDLER + ":" + event.eventId()).toList())), "inbox");
            List<OutboxEntry> again = new ArrayList<>(backlog);
            again.addAll(backlog);
            asOneBacklog(REFERRALS, producer, again);
            awaitHandled(REFERRAL_HANDLER, backlog);

            for (OutboxEntry event : backlog) {
                assertThat(count("feed", event.eventId())).as("one feed entry per agency").isEqualTo(2);
                assertThat(count("notifications", event.eventId())).as("one in-app notice").isEqualTo(1);
                assertThat(count("emails", event.eventId())).as("one e-mail, to the contact address").isEqualTo(1);
                assertThat(count("deliveries", event.eventId())).as("one delivery").isEqualTo(1);
            }
            assertThat(feedEventIds(college)).containsExactlyInAnyOrderElementsOf(ids(backlog));
            await().atMost(PATIENCE).until(() -> backlog.stream().allMatch(event -> deliveries(event.eventId())
                    .stream().allMatch(delivery -> "DELIVERED".equals(delivery.getString("status")))));
            assertThat(receiver.count()).isEqualTo(4);
        }
    }

    @Test
    void aConsentWithdrawnAndAnErasureInABatchTakeEffectForTheEventsAfterThem() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String college = AgencyFeedTest.agency("college");
        String recorder = AgencyFeedTest.agency("adult-ed");
        try (WebhookReceiver receiver = new WebhookReceiver(); ReferralEvents producer = new ReferralEvents()) {
            subscribe(college, receiver.url(), MILESTONE);
            String consentId = "cns-" + UUID.randomUUID();
            OutboxEntry granted = consent("org.pathways.learner.consent-granted.v1", learner, consentId, college);
            OutboxEntry shared = milestone(learner, recorder);
            OutboxEntry withdrawn = consent("org.pathways.learner.consent-withdrawn.v1", learner, consentId, college);
            OutboxEntry notShared = milestone(learner, recorder);
            OutboxEntry erased = learnerEvent("org.pathways.learner.erased.v1", learner,
                    Map.of("registeringAgencyId", recorder, "erasedAt", now()));
            OutboxEntry afterErasure = milestone(learner, recorder);
            List<OutboxEntry> backlog = List.of(granted, shared, withdrawn, notShared, erased, afterErasure);

            asOneBacklog(LEARNERS, producer, backlog);
            awaitHandled(LEARNER_HANDLER, backlog);

            // The withdrawal later in the batch took back what the consent had let the college see (the milestone
            // shared while it stood), and nothing after it reached the college.
            assertThat(feedEventIds(college)).isEmpty();
            assertThat(feedEventIds(recorder))
                    .containsExactly(shared.eventId(), notShared.eventId(), afterErasure.eventId());
            await().atMost(PATIENCE).until(() -> deliveries(shared.eventId()).stream()
                    .noneMatch(delivery -> "PENDING".equals(delivery.getString("status"))));
            assertThat(webhookIds(receiver)).as("at most an attempt already under way when it was withdrawn")
                    .isSubsetOf(shared.eventId());
            // Every copy kept here, written before or after the erasure in the same batch, no longer names the learner.
            List<String> copies = new ArrayList<>();
            for (OutboxEntry event : List.of(shared, notShared, afterErasure)) {
                mongo.find(Query.query(Criteria.where("eventId").is(event.eventId())), Document.class, "feed")
                        .forEach(entry -> {
                            if (entry.getString("event") != null) {
                                copies.add(entry.getString("event"));
                            }
                        });
            }
            assertThat(copies).hasSize(3).allSatisfy(copy -> assertThat(copy).doesNotContain(learner));
        }
    }

    private static OutboxEntry step(String type, String referralId, String referring, String receiving,
                                    String status) {
        return ReferralEvents.event(type, referralId, Map.of("referralId", referralId,
                "referringAgencyId", referring, "receivingAgencyId", receiving, "status", status,
                "actingAgencyId", receiving, "occurredAt", Instant.now().toString()));
    }

    private static List<String> ids(List<OutboxEntry> events) {
        return events.stream().map(OutboxEntry::eventId).toList();
    }

    private static List<String> webhookIds(WebhookReceiver receiver) {
        return receiver.received().stream().map(received -> received.header("webhook-id")).toList();
    }

    private List<Document> deliveries(String eventId) {
        return mongo.find(Query.query(Criteria.where("eventId").is(eventId)), Document.class, "deliveries");
    }

    private long count(String collection, String eventId) {
        return mongo.count(Query.query(Criteria.where("eventId").is(eventId)), collection);
    }

    private List<String> feedEventIds(String agency) throws Exception {
        return json(call("GET", "/api/feed?limit=500", system(agency), null)).get("events").valueStream()
                .map(entry -> entry.get("event").get("id").asString()).collect(Collectors.toList());
    }
}
