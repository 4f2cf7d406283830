package org.pathways.referral.readmodel;

import org.pathways.events.learner.LearnerErased;

/**
 * Told by the read models that a learner was erased ({@code learner.erased}), in the same delivery, so that a
 * failure is retried with the event. The {@code erasure} feature implements it.
 */
public interface ErasureListener {

    void erased(LearnerErased erased);
}
