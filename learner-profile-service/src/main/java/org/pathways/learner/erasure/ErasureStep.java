package org.pathways.learner.erasure;

import java.util.Collection;

/**
 * Something a feature keeps about learners that an erasure must remove too (ids that say something about a
 * person, such as who asked whom to link them). Run on every erasure and on every repeat of one, so it must be
 * idempotent.
 */
public interface ErasureStep {

    void forget(Collection<String> erasedLearnerIds);
}
