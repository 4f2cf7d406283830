package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.catalogue.EventSchemas;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralOverdue;
import org.pathways.events.referral.ReferralReceived;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.SlaBreach;
import org.pathways.events.referral.Urgency;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.testing.Backlog;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.WebhookReceiver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.databind.json.JsonMapper;

/**
 * "Never lost": once the notification-service's consumer group has committed every offset of a backlog, every event
 * of it has had its effect and is counted. The backlog is what the benchmark's throughput phase puts on the topic as
 * an outside producer, and more: a few thousand schema-valid referral events of several types, several per referral
 * (a referral's later events often in the same poll as its submission), learners shared between referrals on
 * different partitions, events repeated with the same id (right after the first copy, and at the end), an event
 * type this version does not know that names only its referral, and events this service ignores by design. Half-way
 * through, the binding is stopped and started again (a deploy: the group rebalances and the rest is delivered to the
 * new consumers).
 *
 * <p>The assertions are taken the moment the committed offsets reach the end of the topic, without waiting for
 * anything else: an event whose offset was committed without its effect would be missing here.
 */
class BacklogCompletenessTest extends NotificationServiceTest {

    private static final String BINDING = "referralEvents-in-0";
    private static final String HANDLER = "referral-events";
    private static final String TOPIC = "pathways.referrals";
    private static final String GROUP = "notification-service";
    private static final String ACCEPTED = EventType.REFERRAL_ACCEPTED.type();
    /** A referral event type this version does not know: routed to the parties remembered for its referral. */
    private static final String REMINDED = "org.pathways.referral.reminded.v1";
    /** Not a referral event: on the topic, consumed, and ignored by design. */
    private static final String NOT_A_REFERRAL_EVENT = "org.pathways.partnership.newsletter-sent.v1";
    private static final int REFERRALS = 700;
    private static final JsonMapper JSON_MAPPER = JsonMapper.builder().build();

    @Autowired
    BindingsLifecycleController bindings;
    @Autowired
    EventInbox inbox;
    @Autowired
    MeterRegistry meters;

    /** One event as published, with what it must have left behind. */
    private record Published(OutboxEntry event, int feedEntries, int inAppNotices) {
    }

    @Test
    void everyEventOfABacklogHasItsEffectOnceTheGroupHasCommittedItsOffsets() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> referring = agencies("agency-bl-" + run + "-council-", 8);
        List<String> receiving = agencies("agency-bl-" + run + "-college-", 8);
        String subscribed = receiving.getFirst();
        Random random = new Random(42);
        EventSchemas schemas = new EventSchemas();

        List<Published> distinct = new ArrayList<>();
        List<OutboxEntry> records = new ArrayList<>();
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents producer = new ReferralEvents()) {
            subscribe(subscribed, college.url(), SUBMITTED, ACCEPTED);
            for (int i = 0; i < REFERRALS; i++) {
                String referralId = "ref-bl-" + UUID.randomUUID();
                // 40 learners for 700 referrals: one learner's referrals land on every partition at once.
                String learnerId = "lrn-bl-" + run + "-" + random.nextInt(40);
                String opportunityId = "opp-bl-" + random.nextInt(30);
                String from = referring.get(random.nextInt(referring.size()));
                String to = receiving.get(random.nextInt(receiving.size()));
                Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                List<Published> steps = new ArrayList<>();
                steps.add(new Published(known(schemas, new ReferralSubmitted(referralId, learnerId, opportunityId,
                        from, to, Urgency.SOON, at)), 2, 1));
                steps.add(new Published(known(schemas, new ReferralReceived(referralId, learnerId, opportunityId,
                        from, to, ReferralStatus.RECEIVED, null, to, at)), 2, 0));
                if (i % 6 == 0) {
                    steps.add(new Published(known(schemas, new ReferralOverdue(referralId, learnerId, opportunityId,
                            from, to, ReferralStatus.RECEIVED, SlaBreach.DECIDE, at, at)), 3, 2));
                }
                steps.add(new Published(ReferralEvents.event(REMINDED, referralId, Map.of("referralId", referralId)),
                        2, 0));
                steps.add(new Published(known(schemas, new ReferralAccepted(referralId, learnerId, opportunityId,
                        from, to, ReferralStatus.ACCEPTED, null, to, at)), 2, 0));
                for (Published step : steps) {
                    distinct.add(step);
                    records.add(step.event());
                    if (random.nextInt(25) == 0) {
                        records.add(step.event());   // redelivered at once: often in the same poll
                    }
                }
                if (i % 10 == 0) {
                    // Ignored by design: not a referral event, and an unknown referral's event naming no agency.
                    Published ignored = new Published(ReferralEvents.event(NOT_A_REFERRAL_EVENT, referralId,
                            Map.of("referralId", referralId)), 0, 0);
                    String stranger = "ref-bl-" + UUID.randomUUID();
                    Published unknownReferral = new Published(ReferralEvents.event(REMINDED, stranger,
                            Map.of("referralId", stranger)), 0, 0);
                    distinct.add(ignored);
                    distinct.add(unknownReferral);
                    records.add(ignored.event());
                    records.add(unknownReferral.event());
                }
            }
            // Some again at the very end: redelivered long after, in another poll.
            for (int i = 0; i < 40; i++) {
                records.add(distinct.get(random.nextInt(distinct.size())).event());
            }
            Set<String> ids = distinct.stream().map(published -> published.event().eventId())
                    .collect(Collectors.toCollection(LinkedHashSet::new));
            assertThat(ids).hasSize(distinct.size());
            assertThat(records.size()).isGreaterThan(ids.size()).isGreaterThan(3_000);

            long doneBefore = inbox.processedCount(HANDLER);
            double processedBefore = counted("processed");
            double duplicatesBefore = counted("duplicate");
            long started = System.nanoTime();
            Backlog.publish(bindings, BINDING, () -> {
                records.forEach(producer::send);
                producer.flush();
            });
            Map<TopicPartition, Long> end = endOffsets();

            // A deploy half-way through: the binding stops (its consumers leave the group) and starts again.
            await().atMost(Duration.ofSeconds(120)).until(() -> inbox.processedCount(HANDLER) - doneBefore
                    >= ids.size() / 2);
            bindings.stop(BINDING);
            bindings.start(BINDING);

            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50))
                    .until(() -> committedAtLeast(end));

            // Taken at once: whatever is committed must have had its effect already.
            List<String> notDone = notDone(ids);
            Map<String, Long> feed = countByEvent("feed", ids);
            Map<String, Long> notices = countByEvent("notifications", ids);
            Map<String, Long> deliveries = countByEvent("deliveries", ids);
            long done = inbox.processedCount(HANDLER) - doneBefore;
            double processed = counted("processed") - processedBefore;
            double duplicates = counted("duplicate") - duplicatesBefore;

            System.out.printf("Backlog of %d records (%d distinct events, %d repeats) committed to the end in %.1f s: "
                    + "%d not finished, %d finished by the inbox, pathways.inbox.events processed %.0f, duplicate %.0f%n",
                    records.size(), ids.size(), records.size() - ids.size(), (System.nanoTime() - started) / 1e9,
                    notDone.size(), done, processed, duplicates);
            assertThat(notDone).as("events whose offsets were committed but which the inbox never finished")
                    .isEmpty();
            assertThat(done).as("the inbox's finished events (EventInbox.processedCount)").isEqualTo(ids.size());
            assertThat(processed).as("pathways.inbox.events{outcome=processed}").isEqualTo(ids.size());
            assertThat(duplicates).as("pathways.inbox.events{outcome=duplicate}: at least every repeated record")
                    .isGreaterThanOrEqualTo(records.size() - ids.size());
            for (Published published : distinct) {
                String id = published.event().eventId();
                assertThat(feed.getOrDefault(id, 0L)).as("feed entries of %s %s", published.event().type(), id)
                        .isEqualTo(published.feedEntries());
                assertThat(notices.getOrDefault(id, 0L)).as("in-app notices of %s %s", published.event().type(), id)
                        .isEqualTo(published.inAppNotices());
            }
            List<String> toSubscribed = distinct.stream().map(Published::event)
                    .filter(event -> event.data().contains("\"receivingAgencyId\":\"" + subscribed + "\"")
                            && (event.type().equals(SUBMITTED) || event.type().equals(ACCEPTED)))
                    .map(OutboxEntry::eventId).toList();
            assertThat(toSubscribed).isNotEmpty();
            assertThat(toSubscribed).allSatisfy(id -> assertThat(deliveries.get(id)).as("deliveries of " + id)
                    .isEqualTo(1L));
            assertThat(deliveries.keySet()).containsExactlyInAnyOrderElementsOf(toSubscribed);
            // Every remembered referral has its parties, and every learner lists its referrals.
            Set<String> referralIds = distinct.stream().map(Published::event)
                    .filter(event -> event.type().equals(SUBMITTED)).map(OutboxEntry::subject)
                    .collect(Collectors.toSet());
            assertThat(mongo.count(Query.query(Criteria.where("_id").in(referralIds)), "referral_parties"))
                    .isEqualTo(referralIds.size());
            Set<String> listed = new LinkedHashSet<>();
            mongo.find(Query.query(Criteria.where("_id").regex("^lrn-bl-" + run + "-")), Document.class,
                    "learner_records").forEach(learner -> listed.addAll(learner.getList("referralIds", String.class)));
            assertThat(listed).containsExactlyInAnyOrderElementsOf(referralIds);
            await().atMost(Duration.ofSeconds(60)).until(() -> college.count() >= toSubscribed.size());
        }
    }

    private static List<String> agencies(String prefix, int count) {
        List<String> agencies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            agencies.add(prefix + i);
        }
        return agencies;
    }

    /** A known event type's event, checked against its published JSON Schema. */
    private static OutboxEntry known(EventSchemas schemas, PathwaysEvent data) {
        EventType type = EventType.of(data);
        schemas.requireValid(type, JSON_MAPPER.valueToTree(data));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new OutboxEntry(UUID.randomUUID().toString(), type.type(), type.topic().topicName(), data.subject(),
                now, type.dataschema().toString(), "/pathways/referral-service", JSON_MAPPER.writeValueAsString(data),
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", now);
    }

    private double counted(String outcome) {
        return meters.find("pathways.inbox.events").tag("handler", HANDLER).tag("outcome", outcome).counters()
                .stream().mapToDouble(counter -> counter.count()).sum();
    }

    private List<String> notDone(Collection<String> ids) {
        Query query = Query.query(Criteria.where("_id").in(ids.stream().map(id -> HANDLER + ":" + id).toList())
                .and("status").is("DONE"));
        Set<String> done = new java.util.HashSet<>();
        mongo.find(query, Document.class, "inbox").forEach(entry -> done.add(entry.getString("eventId")));
        return ids.stream().filter(id -> !done.contains(id)).toList();
    }

    /** How many documents of {@code collection} each event left, by event id. */
    private Map<String, Long> countByEvent(String collection, Collection<String> ids) {
        Map<String, Long> counts = new HashMap<>();
        Query query = Query.query(Criteria.where("eventId").in(ids));
        query.fields().include("eventId");
        mongo.find(query, Document.class, collection)
                .forEach(document -> counts.merge(document.getString("eventId"), 1L, Long::sum));
        return counts;
    }

    private static AdminClient admin() {
        return AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafkaBootstrapServers()));
    }

    private static Map<TopicPartition, Long> endOffsets() throws Exception {
        try (AdminClient admin = admin()) {
            Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
            admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions()
                    .forEach(partition -> latest.put(new TopicPartition(TOPIC, partition.partition()),
                            OffsetSpec.latest()));
            Map<TopicPartition, Long> end = new LinkedHashMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, info) -> end.put(partition, info.offset()));
            return end;
        }
    }

    private static boolean committedAtLeast(Map<TopicPartition, Long> end) throws Exception {
        try (AdminClient admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
            return end.entrySet().stream().allMatch(partition -> committed.get(partition.getKey()) != null
                    && committed.get(partition.getKey()).offset() >= partition.getValue());
        }
    }
}
