package org.pathways.learner.plan;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.pathways.events.learner.PlanStepOverdue;
import org.pathways.events.learner.PlanStepStatus;
import org.pathways.messaging.outbox.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Raises {@code plan-step-overdue} once per step and due date: for a step still {@code PLANNED} or {@code DOING}
 * the day after it was due. The due date raised for is recorded on the step in the same write as its event, so the
 * next run (on any instance) does not raise it again, and a new due date may be overdue again; ShedLock keeps runs
 * from overlapping. A step whose owner is no longer in the learner's team (a consent that lapsed, a referral that
 * closed) is handed to the registering agency before it is raised ({@link Plans#handOverStepsWithoutStanding}).
 */
@Component
public class OverduePlanSteps {

    private static final Logger LOG = LoggerFactory.getLogger(OverduePlanSteps.class);
    private static final int BATCH = 500;

    private final Outbox outbox;
    private final MongoTemplate mongo;
    private final Clock clock;
    private final Plans owners;

    OverduePlanSteps(Outbox outbox, MongoTemplate mongo, Clock clock, Plans owners) {
        this.owners = owners;
        this.outbox = outbox;
        this.mongo = mongo;
        this.clock = clock;
    }

    /** Void: ShedLock's proxy skips the call while another instance holds the lock. */
    @Scheduled(fixedDelayString = "${pathways.learners.plan-overdue-check:PT15M}",
            initialDelayString = "${pathways.learners.plan-overdue-check:PT15M}")
    @SchedulerLock(name = "plan-step-overdue-check", lockAtMostFor = "PT30M")
    public void raiseOverdue() {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        int raised = 0;
        String after = "";
        while (true) {
            // Dates are stored as ISO text, so "before today" is a string comparison.
            Query due = Query.query(Criteria.where("_id").gt(after)
                            .and("steps").elemMatch(Criteria.where("status")
                                    .in(PlanStepStatus.PLANNED.name(), PlanStepStatus.DOING.name())
                                    .and("dueOn").lt(today.toString())))
                    .with(Sort.by("_id")).limit(BATCH);
            List<LearnerPlan> plans = mongo.find(due, LearnerPlan.class);
            for (LearnerPlan found : plans) {
                LearnerPlan plan = found;
                if (plan.steps().stream().noneMatch(step -> step.needsOverdueRaisedOn(today))) {
                    continue;
                }
                // An owner that left the learner's team hears nothing more of them: its steps go back to the
                // registering agency first, and are overdue there.
                if (owners.handOverStepsWithoutStanding(plan.learnerId()) > 0) {
                    plan = mongo.findById(plan.learnerId(), LearnerPlan.class);
                    if (plan == null) {
                        continue;
                    }
                }
                List<PlanStepOverdue> overdue = plan.raiseOverdue(today, now);
                if (overdue.isEmpty()) {
                    continue;
                }
                try {
                    outbox.save(plan, overdue);
                    raised += overdue.size();
                } catch (OptimisticLockingFailureException changed) {
                    LOG.debug("Plan {} changed during the overdue check; the next run looks again", plan.learnerId());
                }
            }
            if (plans.size() < BATCH) {
                break;
            }
            after = plans.getLast().learnerId();
        }
        if (raised > 0) {
            LOG.info("Raised {} overdue plan step events", raised);
        }
    }
}
