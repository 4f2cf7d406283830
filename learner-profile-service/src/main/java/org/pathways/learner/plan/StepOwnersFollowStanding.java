package org.pathways.learner.plan;

import org.pathways.learner.consent.ConsentWithdrawalFollowUp;
import org.pathways.learner.domain.Learner;
import org.springframework.stereotype.Component;

/**
 * When the learner withdraws a consent, the steps of an owner that stood on it go back to the agency that registered
 * the learner at once ({@link Plans#handOverStepsWithoutStanding}); a consent that lapsed or a referral that closed is
 * caught by the overdue check before it raises anything ({@link OverduePlanSteps}).
 */
@Component
class StepOwnersFollowStanding implements ConsentWithdrawalFollowUp {

    private final Plans plans;

    StepOwnersFollowStanding(Plans plans) {
        this.plans = plans;
    }

    @Override
    public void afterWithdrawal(Learner learner) {
        plans.handOverStepsWithoutStanding(learner.id());
    }
}
