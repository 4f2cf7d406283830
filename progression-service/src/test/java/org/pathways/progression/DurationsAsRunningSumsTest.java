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
import org.pathways.progression.learners.LearnerProjection;
import org.pathways.progression.tally.FactStore;
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
}
