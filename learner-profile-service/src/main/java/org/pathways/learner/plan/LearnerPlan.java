package org.pathways.learner.plan;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pathways.events.learner.PlanStepAdded;
import org.pathways.events.learner.PlanStepChanged;
import org.pathways.events.learner.PlanStepOverdue;
import org.pathways.events.learner.PlanStepStatus;
import org.pathways.platform.problem.ProblemException;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.http.HttpStatus;

/**
 * A learner's shared plan: the aggregate root, keyed by the learner's id. {@code revision} is what clients see as
 * the plan's version ({@code ETag}): it counts the changes people made, so the overdue check (which saves the plan
 * too, bumping the document's own {@code version}) never makes a worker's {@code If-Match} stale.
 */
@Document("learner_plans")
// The overdue check looks for open steps past their due date.
@CompoundIndex(name = "openStepsDue", def = "{'steps.status': 1, 'steps.dueOn': 1}")
public class LearnerPlan {

    /** At most this many steps in one plan: a plan is a few agreed next steps, not a case log. */
    static final int MAX_STEPS = 200;

    @Id
    private String id;
    @Version
    private Long version;
    private long revision;
    private List<PlanStep> steps = new ArrayList<>();

    protected LearnerPlan() {
    }

    static LearnerPlan empty(String learnerId) {
        LearnerPlan plan = new LearnerPlan();
        plan.id = learnerId;
        return plan;
    }

    PlanStepAdded add(String title, String ownerAgencyId, LocalDate dueOn, PlanStepStatus status, String referralId,
                      String opportunityId, String byAgencyId, Instant now) {
        if (status != PlanStepStatus.PLANNED && status != PlanStepStatus.DOING) {
            throw ProblemException.unprocessable("step-starts-open",
                    "A new step is PLANNED or DOING; mark it DONE or DROPPED afterwards.");
        }
        if (steps.size() >= MAX_STEPS) {
            throw ProblemException.unprocessable("plan-full", "A plan holds at most " + MAX_STEPS + " steps.");
        }
        PlanStep step = PlanStep.create(title, ownerAgencyId, dueOn, status, referralId, opportunityId, byAgencyId,
                now);
        steps.add(step);
        revision++;
        return new PlanStepAdded(id, step.id(), ownerAgencyId, status, dueOn, referralId, opportunityId, byAgencyId,
                now);
    }

    /** Changes a step; empty when nothing changed. A step that is DONE or DROPPED is closed. */
    Optional<PlanStepChanged> change(String stepId, String title, PlanStepStatus status, LocalDate dueOn,
                                     String ownerAgencyId, String byAgencyId, Instant now) {
        PlanStep step = step(stepId).orElseThrow(() -> ProblemException.notFound("plan step", stepId));
        if (!step.isOpen()) {
            throw ProblemException.conflict("step-closed",
                    "This step is " + step.status() + "; add a new step instead.", Map.of("stepId", stepId));
        }
        PlanStepStatus previous = step.status();
        if (!step.change(title, status, dueOn, ownerAgencyId, now)) {
            return Optional.empty();
        }
        revision++;
        return Optional.of(new PlanStepChanged(id, stepId, step.ownerAgencyId(), step.status(), previous,
                step.dueOn(), byAgencyId, now));
    }

    /** The overdue events due on {@code today}, each step and due date once. */
    List<PlanStepOverdue> raiseOverdue(LocalDate today, Instant now) {
        List<PlanStepOverdue> raised = new ArrayList<>();
        for (PlanStep step : steps) {
            if (step.needsOverdueRaisedOn(today)) {
                step.overdueRaised();
                raised.add(new PlanStepOverdue(id, step.id(), step.ownerAgencyId(), step.dueOn(), now));
            }
        }
        return raised;
    }

    /** On erasure: the steps (their titles are the learner's personal data) go; the document stays as a tombstone. */
    boolean clear() {
        if (steps.isEmpty()) {
            return false;
        }
        steps = new ArrayList<>();
        revision++;
        return true;
    }

    void requireRevision(long expected) {
        if (expected != revision) {
            throw new ProblemException(HttpStatus.PRECONDITION_FAILED, "stale-version",
                    "The plan changed since you read it (now version " + revision + "); read it again and retry.");
        }
    }

    public Optional<PlanStep> step(String stepId) {
        return steps.stream().filter(step -> step.id().equals(stepId)).findFirst();
    }

    public String learnerId() {
        return id;
    }

    public long revision() {
        return revision;
    }

    public List<PlanStep> steps() {
        return List.copyOf(steps);
    }
}
