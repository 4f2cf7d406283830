package org.pathways.referral.readmodel;

import java.util.function.Predicate;

import org.pathways.events.learner.ConsentWithdrawn;

/**
 * Told by the read models when consents may have stopped covering open referrals: a consent was withdrawn, or an
 * agency changed kind. Called after the view recorded the change, in the same delivery, so that a failure is retried
 * with the event. The {@code consent} feature implements it (it stops the referrals); the read models only say what
 * happened, so they depend on no feature.
 */
public interface ConsentListener {

    /**
     * @param stillAllowedFor whether the learner still has an active REFERRAL_SHARING consent covering an agency
     */
    void withdrawn(ConsentWithdrawn withdrawn, Predicate<String> stillAllowedFor);

    /**
     * @param allowed whether a learner still has an active REFERRAL_SHARING consent covering the agency
     */
    void agencyKindChanged(String agencyId, Predicate<String> allowed);
}
