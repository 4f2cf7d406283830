package org.pathways.learner.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;

import org.junit.jupiter.api.Test;
import org.pathways.events.learner.PlanStepStatus;
import org.pathways.platform.problem.ProblemException;

/** The plan's own invariants: versions count people's changes, overdue once per due date, closed steps stay closed. */
class LearnerPlanRulesTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final LocalDate TODAY = LocalDate.parse("2026-12-01");

    @Test
    void overdueIsRaisedOncePerDueDateAndDoesNotChangeTheVersion() {
        LearnerPlan plan = LearnerPlan.empty("lrn-1");
        String stepId = plan.add("Book", "agency-a", TODAY.minusDays(1), PlanStepStatus.PLANNED, null, null,
                "agency-a", NOW).stepId();
        plan.add("Due today", "agency-a", TODAY, PlanStepStatus.DOING, null, null, "agency-a", NOW);
        long version = plan.revision();

        assertThat(plan.raiseOverdue(TODAY, NOW)).extracting(e -> e.stepId()).containsExactly(stepId);
        assertThat(plan.raiseOverdue(TODAY, NOW)).isEmpty();
        assertThat(plan.revision()).isEqualTo(version);

        plan.change(stepId, null, null, TODAY.minusDays(3), null, "agency-a", NOW);
        assertThat(plan.raiseOverdue(TODAY, NOW)).hasSize(1);
        plan.change(stepId, null, PlanStepStatus.DONE, null, null, "agency-a", NOW);
        plan.change(plan.steps().get(1).id(), null, null, TODAY.minusDays(1), null, "agency-a", NOW);
        plan.change(plan.steps().get(1).id(), null, PlanStepStatus.DROPPED, null, null, "agency-a", NOW);
        assertThat(plan.raiseOverdue(TODAY, NOW)).as("closed steps are never overdue").isEmpty();
    }

    @Test
    void aChangeThatChangesNothingIsNoChangeAndAClosedStepStaysClosed() {
        LearnerPlan plan = LearnerPlan.empty("lrn-1");
        String stepId = plan.add("Book", "agency-a", null, PlanStepStatus.PLANNED, null, null, "agency-a", NOW)
                .stepId();
        long version = plan.revision();
        assertThat(plan.change(stepId, "Book", PlanStepStatus.PLANNED, null, null, "agency-a", NOW)).isEmpty();
        assertThat(plan.revision()).isEqualTo(version);
        var changed = plan.change(stepId, null, PlanStepStatus.DROPPED, null, null, "agency-a", NOW).orElseThrow();
        assertThat(changed.previousStatus()).isEqualTo(PlanStepStatus.PLANNED);
        assertThatThrownBy(() -> plan.change(stepId, null, PlanStepStatus.DOING, null, null, "agency-a", NOW))
                .extracting(e -> ((ProblemException) e).kind()).isEqualTo("step-closed");
        assertThatThrownBy(() -> plan.add("Done already", "agency-a", null, PlanStepStatus.DONE, null, null,
                "agency-a", NOW)).extracting(e -> ((ProblemException) e).kind()).isEqualTo("step-starts-open");
    }
}
