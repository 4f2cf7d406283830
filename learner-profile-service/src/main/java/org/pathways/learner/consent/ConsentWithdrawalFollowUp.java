package org.pathways.learner.consent;

import org.pathways.learner.domain.Learner;

/**
 * What another feature does at once when a learner withdraws a consent (say, ending a lead whose agency thereby
 * lost standing). Called after the withdrawal is saved; a failure is logged and left to that feature's own upkeep,
 * never undoes the withdrawal.
 */
public interface ConsentWithdrawalFollowUp {

    void afterWithdrawal(Learner learner);
}
