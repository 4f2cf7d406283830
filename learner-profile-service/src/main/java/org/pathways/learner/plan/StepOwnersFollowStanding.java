package org.pathways.learner.plan;

import org.pathways.learner.consent.ConsentWithdrawalFollowUp;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.relationship.ReferralRelationships;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * When the learner withdraws a consent, or a referral of theirs closes or is held for consent, the steps of an owner
 * that stood on it go back to the agency that registered the learner at once
 * ({@link Plans#handOverStepsWithoutStanding}); a consent that simply lapsed is caught by the overdue check before it
 * raises anything ({@link OverduePlanSteps}).
 */
@Component
class StepOwnersFollowStanding implements ConsentWithdrawalFollowUp {

    private static final Logger LOG = LoggerFactory.getLogger(StepOwnersFollowStanding.class);

    private final Plans plans;
    private final Learners learners;

    StepOwnersFollowStanding(Plans plans, Learners learners) {
        this.plans = plans;
        this.learners = learners;
    }

    @Override
    public void afterWithdrawal(Learner learner) {
        plans.handOverStepsWithoutStanding(learner.id());
    }

    /**
     * After a batch of referral events is written. A failure here is logged, not thrown: the events are applied, and
     * the overdue check looks again before it raises anything.
     */
    @EventListener
    void referralsEnded(ReferralRelationships.RelationshipsEnded ended) {
        for (String named : ended.learnerIds()) {
            try {
                // A referral of a record merged away: the plan is the survivor's.
                String learnerId = learners.find(named).map(Learner::id).orElse(named);
                plans.handOverStepsWithoutStanding(learnerId);
            } catch (RuntimeException failed) {
                LOG.warn("Could not hand back the plan steps of an agency that left a learner's team ({}); the overdue "
                        + "check looks again", failed.getClass().getSimpleName());
            }
        }
    }
}
