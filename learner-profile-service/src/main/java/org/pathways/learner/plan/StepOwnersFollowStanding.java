package org.pathways.learner.plan;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.pathways.events.learner.PlanStepStatus;
import org.pathways.learner.consent.ConsentWithdrawalFollowUp;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.relationship.ReferralRelationships;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps a plan step's owner in the learner's team: the open steps of an owner that left it go back to the agency
 * that registered the learner ({@link Plans#handOverStepsWithoutStanding}), so that the owner hears no more of the
 * learner (a step's changes, its overdue notice and the changes of the referral it follows go to its owner). At once
 * when the learner withdraws a consent, or a referral of theirs closes or is held for consent; and, for what no
 * request announces (a consent that simply lapsed, a consent to a kind that no longer covers an agency whose kind
 * changed) or a hand-back that failed or kept losing races, on a periodic check that runs on one instance at a time
 * ({@link #recheckAll}, as {@code LeadStandingCheck} does for leads). Before, only the overdue check handed such
 * steps back, so a step with no due date, or one already reported overdue, stayed with its former owner for ever.
 */
@Component
class StepOwnersFollowStanding implements ConsentWithdrawalFollowUp {

    private static final Logger LOG = LoggerFactory.getLogger(StepOwnersFollowStanding.class);
    private static final int BATCH = 500;

    private final Plans plans;
    private final Learners learners;
    private final MongoTemplate mongo;

    StepOwnersFollowStanding(Plans plans, Learners learners, MongoTemplate mongo) {
        this.plans = plans;
        this.learners = learners;
        this.mongo = mongo;
    }

    @Override
    public void afterWithdrawal(Learner learner) {
        plans.handOverStepsWithoutStanding(learner.id());
    }

    /**
     * After a batch of referral events is written. A failure here is logged, not thrown: the events are applied, and
     * the periodic check looks again.
     */
    @EventListener
    void referralsEnded(ReferralRelationships.RelationshipsEnded ended) {
        for (String named : ended.learnerIds()) {
            try {
                // A referral of a record merged away: the plan is the survivor's.
                String learnerId = learners.find(named).map(Learner::id).orElse(named);
                plans.handOverStepsWithoutStanding(learnerId);
            } catch (RuntimeException failed) {
                LOG.warn("Could not hand back the plan steps of an agency that left a learner's team ({}); the "
                        + "periodic check looks again", failed.getClass().getSimpleName());
            }
        }
    }

    /**
     * Every plan with an open step owned by an agency other than the registering one, paged by {@code _id} (a page
     * of plans with open steps, then their learners in one read by {@code _id}): such steps whose owner is no longer
     * in the learner's team go back to the registering agency. The query names only {@code _id} and the steps'
     * status, and each page is bounded: the embedded store serves no secondary index, so this reads each page's
     * share of the collection once. A plan that keeps changing under the check is left for the next run. Void:
     * ShedLock's proxy skips the call while another instance holds the lock.
     */
    @Scheduled(fixedDelayString = "${pathways.learners.plan-standing-check:PT15M}",
            initialDelayString = "${pathways.learners.plan-standing-check:PT15M}")
    @SchedulerLock(name = "plan-step-standing-check", lockAtMostFor = "PT30M")
    public void recheckAll() {
        int read = 0;
        int sharedPlans = 0;
        int handedBack = 0;
        int left = 0;
        String after = "";
        while (true) {
            Query open = Query.query(Criteria.where("_id").gt(after).and("steps.status")
                            .in(PlanStepStatus.PLANNED.name(), PlanStepStatus.DOING.name()))
                    .with(Sort.by("_id")).limit(BATCH);
            List<LearnerPlan> page = mongo.find(open, LearnerPlan.class);
            read += page.size();
            Map<String, Optional<Learner>> learnersOf = learners.findAll(page.stream()
                    .map(LearnerPlan::learnerId).toList());
            for (LearnerPlan plan : page) {
                // Unknown or erased: erasure empties the plan, nothing to hand to anyone.
                String registering = learnersOf.getOrDefault(plan.learnerId(), Optional.empty())
                        .map(Learner::registeringAgencyId).orElse(null);
                if (registering == null || plan.steps().stream()
                        .noneMatch(step -> step.isOpen() && !registering.equals(step.ownerAgencyId()))) {
                    continue;
                }
                sharedPlans++;
                try {
                    handedBack += plans.handOverStepsWithoutStanding(plan.learnerId());
                } catch (RuntimeException failed) {
                    left++;
                    LOG.debug("Plan {}: the steps of owners without standing could not be handed back ({}); the next "
                            + "run looks again", plan.learnerId(), failed.getClass().getSimpleName());
                }
            }
            if (page.size() < BATCH) {
                break;
            }
            after = page.getLast().learnerId();
        }
        LOG.info("Plan step standing check: {} plans with open steps, {} with steps of another agency than the "
                + "registering one, {} steps handed back, {} plans left for the next run", read, sharedPlans,
                handedBack, left);
    }
}
