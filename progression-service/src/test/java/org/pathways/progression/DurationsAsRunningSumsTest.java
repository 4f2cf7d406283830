package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.events.delivery.WebhookDelivered;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.learner.PlanStepAdded;
import org.pathways.events.learner.PlanStepStatus;
import org.pathways.platform.security.Role;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.events.ProjectionFeed;
import org.pathways.progression.funnel.ReferralProjection;
import org.pathways.progression.learners.LearnerProjection;
import org.pathways.progression.tally.DurationSketch;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Generations;
import org.pathways.testing.EventProducer;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The times to a learner's first plan step and to deliver a webhook are kept as running sums over days, not in the
 * daily buckets (whose sketches grew with the number of distinct times: a report over many days read them all): the
 * daily buckets hold counts only, and a window's times are the sum of its days'.
 */
class DurationsAsRunningSumsTest extends ProgressionServiceTest {

    private static final String COORDINATOR = TestTokens.token("coord-1", "partnership", Role.COORDINATOR);
    /** Per day of the window, the time to the first plan step (hours) and to deliver (milliseconds). */
    private static final List<Long> HOURS = List.of(1L, 2L, 4L);
    private static final List<Long> MILLIS = List.of(100L, 200L, 400L);

    @Autowired
    FactStore store;
    @Autowired
    Generations generations;
    @Autowired
    ProjectionFeed feed;
    @Autowired
    org.springframework.data.mongodb.core.MongoTemplate mongo;

    private final LocalDate first = LocalDate.now(ZoneOffset.UTC).minusDays(12);
    private final LocalDate last = first.plusDays(2);

    private JsonNode supportTimes(String locality, LocalDate from, LocalDate to) {
        return api().get("/api/progression/learner-support?from=" + from + "&to=" + to + "&localityCode=" + locality,
                COORDINATOR).body().get("registrationToFirstPlanStep");
    }

    private JsonNode deliveryTimes(String agency, LocalDate from, LocalDate to) {
        for (JsonNode row : api().get("/api/progression/delivery-health?from=" + from + "&to=" + to, COORDINATOR)
                .body().get("agencies")) {
            if (agency.equals(row.get("agencyId").asString())) {
                return row.get("timeToDeliver");
            }
        }
        return null;
    }

    @Test
    void timesToAFirstStepAndToDeliverAreRunningSumsAWindowsTimesTheSumOfItsDays() {
        String here = unique("LS7");
        String council = unique("council");
        String college = unique("college");
        try (EventProducer producer = new EventProducer()) {
            for (int d = 0; d < 3; d++) {
                Instant morning = first.plusDays(d).atTime(9, 0).toInstant(ZoneOffset.UTC);
                for (int i = 0; i < 5; i++) {
                    String learner = unique("lrn");
                    producer.publish(new LearnerRegistered(learner, council, here, morning));
                    producer.publish(new PlanStepAdded(learner, unique("step"), council, PlanStepStatus.PLANNED, null,
                            null, null, council, morning.plus(Duration.ofHours(HOURS.get(d)))));
                    producer.publish(new WebhookDelivered(unique("dlv"), unique("evt"),
                            "org.pathways.referral.submitted.v1", college, "sub-1", 1, 200, morning,
                            MILLIS.get(d)));
                }
            }
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(supportTimes(here, first, last).get("count").asLong(-1)).isEqualTo(15);
            JsonNode deliveries = deliveryTimes(college, first, last);
            assertThat(deliveries).isNotNull();
            assertThat(deliveries.get("count").asLong(-1)).isEqualTo(15);
        });

        // Each day alone: its five times.
        for (int d = 0; d < 3; d++) {
            LocalDate day = first.plusDays(d);
            JsonNode support = supportTimes(here, day, day);
            assertThat(support.get("count").asLong()).as("first steps on %s", day).isEqualTo(5);
            assertThat(support.get("medianSeconds").asLong()).isCloseTo(HOURS.get(d) * 3600, within(HOURS.get(d) * 36));
            JsonNode deliveries = deliveryTimes(college, day, day);
            assertThat(deliveries.get("count").asLong()).as("deliveries on %s", day).isEqualTo(5);
            assertThat(deliveries.get("medianMs").asLong()).isCloseTo(MILLIS.get(d), within(MILLIS.get(d) / 100));
        }
        // Windows: the sum of their days (two days: ten; all three: fifteen, the middle one's time the median).
        assertThat(supportTimes(here, first, first.plusDays(1)).get("count").asLong()).isEqualTo(10);
        assertThat(supportTimes(here, first.plusDays(1), last).get("count").asLong()).isEqualTo(10);
        assertThat(deliveryTimes(college, first.plusDays(1), last).get("count").asLong()).isEqualTo(10);
        JsonNode allSupport = supportTimes(here, first, last);
        assertThat(allSupport.get("medianSeconds").asLong()).isCloseTo(2 * 3600L, within(72L));
        assertThat(allSupport.get("p90Seconds").asLong()).isCloseTo(4 * 3600L, within(144L));
        JsonNode allDeliveries = deliveryTimes(college, first, last);
        assertThat(allDeliveries.get("medianMs").asLong()).isCloseTo(200L, within(2L));
        assertThat(allDeliveries.get("p90Ms").asLong()).isCloseTo(400L, within(4L));
        // A window reaching beyond the days with times has the same times.
        assertThat(supportTimes(here, first.minusDays(30), last.plusDays(3))).isEqualTo(allSupport);

        // The daily buckets hold the counts, and no sketch: bins there would grow the buckets with every new time.
        List<Document> support = store.buckets(generations.active(), LearnerProjection.SUPPORT, first, last).stream()
                .filter(bucket -> here.equals(bucket.getString("locality"))).toList();
        assertThat(support).hasSize(3).allSatisfy(bucket -> {
            assertThat(bucket.get("registered", Number.class).longValue()).isEqualTo(5);
            assertThat(bucket.get("withPlan", Number.class).longValue()).isEqualTo(5);
            assertThat(bucket.keySet()).noneMatch(field -> field.startsWith("toFirstStep"));
        });
        List<Document> deliveries = store.buckets(generations.active(), "deliveries", first, last).stream()
                .filter(bucket -> college.equals(bucket.getString("agency"))).toList();
        assertThat(deliveries).hasSize(3).allSatisfy(bucket -> {
            assertThat(bucket.get("delivered", Number.class).longValue()).isEqualTo(5);
            assertThat(bucket.keySet()).noneMatch(field -> field.startsWith("toDeliver"));
        });
        // The running sums hold them, by locality.
        assertThat(store.runningSums(generations.active(), LearnerProjection.SUPPORT_TIMES_ROLL_UP, first, last)
                .stream().filter(sums -> here.equals(sums.getString("locality"))))
                .singleElement().satisfies(sums ->
                        assertThat(sums.get("toFirstStepCount", Number.class).longValue()).isEqualTo(15));
    }

    /**
     * Until 2026-12-03 the running sums were the nodes of a Fenwick tree over every day (17 per change); now they are
     * blocks of 1, 8 and 64 days (3 per change). A generation built before keeps its nodes until it is rebuilt, and
     * the consumer adds blocks to it from then on: a window's durations are the sum of both.
     */
    @Test
    void durationsKeptBeforeTheBlocksAddUpWithThoseKeptSince() {
        Generation generation = new Generation(8_000 + (System.nanoTime() & 0xfff));
        try {
            String college = unique("college");
            String council = unique("council");
            LocalDate before = first.minusDays(20);
            // What the earlier version wrote for a referral decided in 2 hours on "before": a node of the tree on each
            // of the days it covered, listed in that day's index.
            String bin = DurationSketch.bin(2 * 3600);
            for (LocalDate node = before; node != null; node = nextLegacyNode(node)) {
                String id = "durations|" + node + "|" + college + "|" + council;
                mongo.insert(new Document("_id", id).append("family", "durations").append("day", node.toString())
                        .append("receiving", college).append("referring", council).append("decisionCount", 1L)
                        .append("decision", new Document(bin, 1L)), generation.collection(FactStore.BUCKETS));
                mongo.upsert(org.springframework.data.mongodb.core.query.Query.query(
                                org.springframework.data.mongodb.core.query.Criteria.where("_id")
                                        .is("durations|" + node)),
                        new org.springframework.data.mongodb.core.query.Update().addToSet("buckets", id),
                        generation.collection(FactStore.DAYS));
            }
            // Since: a referral decided in 4 hours on "first", through the feed.
            Instant submittedAt = first.atTime(9, 0).toInstant(ZoneOffset.UTC);
            ReferralSubmitted submitted = new ReferralSubmitted(unique("ref"), unique("lrn"), unique("opp"), council,
                    college, Urgency.ROUTINE, submittedAt);
            feed.applyBatch(List.of(received(submitted), received(new ReferralAccepted(submitted.referralId(),
                    submitted.learnerId(), submitted.opportunityId(), council, college, ReferralStatus.ACCEPTED, null,
                    college, submittedAt.plus(Duration.ofHours(4))))), generation);

            assertThat(decisions(generation, college, before.minusDays(3), first.plusDays(3))).isEqualTo(2);
            assertThat(decisions(generation, college, before, before)).isEqualTo(1);
            assertThat(decisions(generation, college, before.plusDays(1), first)).isEqualTo(1);
            assertThat(decisions(generation, college, first.plusDays(1), first.plusDays(300))).isZero();
            assertThat(decisions(generation, college, before.minusDays(300), before.minusDays(1))).isZero();
        } finally {
            generations.drop(generation);
        }
    }

    /** The next node of the Fenwick tree over days (from 1970-01-01) that holds what the node {@code day} holds. */
    private static LocalDate nextLegacyNode(LocalDate day) {
        long i = day.toEpochDay() + 1;
        i += i & -i;
        return i > (1L << 17) ? null : LocalDate.ofEpochDay(i - 1);
    }

    private long decisions(Generation generation, String receiving, LocalDate from, LocalDate to) {
        return store.runningSums(generation, ReferralProjection.DURATIONS_ROLL_UP, from, to).stream()
                .filter(sums -> receiving.equals(sums.getString("receiving")))
                .mapToLong(sums -> sums.get("decisionCount") instanceof Number n ? n.longValue() : 0).sum();
    }

    private static ReceivedEvent received(org.pathways.events.PathwaysEvent event) {
        return new ReceivedEvent(java.util.UUID.randomUUID().toString(), EventType.of(event).type(), event.subject(),
                Instant.now(), "test", tools.jackson.databind.json.JsonMapper.builder().build()
                .writeValueAsString(event).getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
    }
}
