package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LeadAssigned;
import org.pathways.events.learner.LeadEndReason;
import org.pathways.events.learner.LeadEnded;
import org.pathways.events.learner.LeadHandedOver;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.learner.PlanStepAdded;
import org.pathways.events.learner.PlanStepChanged;
import org.pathways.events.learner.PlanStepStatus;
import org.pathways.platform.security.Role;
import org.pathways.testing.EventProducer;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/** The team around the learner: leads and plans, counted from the learner-profile-service's events. */
class LearnerSupportTest extends ProgressionServiceTest {

    private static final String COORDINATOR = TestTokens.token("coord-1", "partnership", Role.COORDINATOR);
    private static final Duration HOUR = Duration.ofHours(1);

    private final LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(5);
    private final Instant registeredAt = day.atTime(9, 0).toInstant(ZoneOffset.UTC);

    /**
     * Ten learners registered here; six given a lead, of whom one stepped down (the end consumed before the
     * assignment) and one was handed over (twice delivered); seven with a plan, one of them with two steps (the
     * earlier one consumed last). Of eight steps: five done (one change consumed before its step), one dropped, two
     * open.
     */
    @Test
    void countsLearnersWithALeadAndAPlanAndPlanStepsDoneOrDroppedWhateverTheOrder() {
        String here = unique("LS6");
        String council = unique("council");
        String college = unique("college");
        String tutor = unique("worker");
        List<String> learners = new ArrayList<>();
        try (EventProducer producer = new EventProducer()) {
            for (int i = 0; i < 10; i++) {
                String learner = unique("lrn");
                learners.add(learner);
                producer.publish(new LearnerRegistered(learner, council, here, registeredAt));
            }
            producer.publish(new LeadEnded(learners.get(0), council, tutor, LeadEndReason.STEPPED_DOWN,
                    registeredAt.plus(HOUR.multipliedBy(2))));
            for (int i = 0; i < 6; i++) {
                producer.publish(new LeadAssigned(learners.get(i), council, tutor, council, registeredAt.plus(HOUR)));
            }
            LeadHandedOver handover = new LeadHandedOver(learners.get(1), council, tutor, college, unique("worker"),
                    registeredAt.plus(HOUR.multipliedBy(3)));
            String handoverId = producer.publish(handover);
            producer.publish(handoverId, handover);

            List<String> steps = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                String step = unique("step");
                steps.add(step);
                if (i == 0) {
                    // Done before it is seen added.
                    producer.publish(new PlanStepChanged(learners.get(i), step, college, PlanStepStatus.DONE,
                            PlanStepStatus.PLANNED, null, college, registeredAt.plus(HOUR.multipliedBy(40))));
                }
                producer.publish(new PlanStepAdded(learners.get(i), step, college, PlanStepStatus.PLANNED, null, null,
                        null, council, registeredAt.plus(HOUR.multipliedBy(24))));
            }
            String earlier = unique("step");
            producer.publish(new PlanStepAdded(learners.get(0), earlier, council, PlanStepStatus.PLANNED, null, null,
                    null, council, registeredAt.plus(HOUR.multipliedBy(12))));
            for (int i = 1; i < 5; i++) {
                producer.publish(new PlanStepChanged(learners.get(i), steps.get(i), college, PlanStepStatus.DOING,
                        PlanStepStatus.PLANNED, null, college, registeredAt.plus(HOUR.multipliedBy(30))));
                producer.publish(new PlanStepChanged(learners.get(i), steps.get(i), college, PlanStepStatus.DONE,
                        PlanStepStatus.DOING, null, college, registeredAt.plus(HOUR.multipliedBy(50))));
            }
            producer.publish(new PlanStepChanged(learners.get(5), steps.get(5), college, PlanStepStatus.DROPPED,
                    PlanStepStatus.PLANNED, null, college, registeredAt.plus(HOUR.multipliedBy(50))));
        }

        String query = "/api/progression/learner-support?from=" + day + "&to=" + day;
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode report = api().get(query + "&localityCode=" + here, COORDINATOR).body();
            assertThat(report.get("registered").asLong(-1)).isEqualTo(10);
            assertThat(report.get("withLead").asLong(-1)).isEqualTo(5);
            assertThat(report.get("withPlan").asLong(-1)).isEqualTo(7);
            assertThat(report.get("withLeadAndPlan").asLong(-1)).isEqualTo(5);
            assertThat(report.get("registrationToFirstPlanStep").get("count").asLong(-1)).isEqualTo(7);
        });
        JsonNode report = api().get(query + "&localityCode=" + here, COORDINATOR).body();
        assertThat(report.get("shareWithLead").asDouble()).isEqualTo(0.5);
        assertThat(report.get("shareWithPlan").asDouble()).isEqualTo(0.7);
        // Six first steps a day after registration, one (the earlier step, consumed last) after 12 hours.
        assertThat(report.get("registrationToFirstPlanStep").get("medianSeconds").asLong())
                .isCloseTo(24 * 3600L, within(864L));
        assertThat(report.get("planSteps").isNull()).as("steps are by owner agency, not by locality").isTrue();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            // No other test adds plan steps: these are ours, by the day they were added.
            JsonNode steps = api().get("/api/progression/learner-support?from=" + day + "&to=" + day.plusDays(1),
                    COORDINATOR).body().get("planSteps");
            assertThat(steps.get("added").asLong(-1)).isEqualTo(8);
            assertThat(steps.get("done").asLong(-1)).isEqualTo(5);
            assertThat(steps.get("dropped").asString()).isEqualTo("<5");
            assertThat(steps.get("open").asString()).isEqualTo("<5");
        });
        assertThat(api().get(query, TestTokens.worker(college)).isProblem(403, "forbidden")).isTrue();
    }
}
