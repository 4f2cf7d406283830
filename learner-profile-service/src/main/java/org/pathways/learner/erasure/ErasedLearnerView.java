package org.pathways.learner.erasure;

import java.time.Instant;

import org.pathways.learner.domain.Erasure;
import org.pathways.learner.domain.Learner;

/** What remains after erasure: the pseudonymous tombstone, counted, never named. */
public record ErasedLearnerView(String id, String registeringAgencyId, Instant registeredAt, Instant erasedAt,
                                int consents, int milestones, int achievements, int links) {

    static ErasedLearnerView of(Learner learner) {
        Erasure erasure = learner.erasure();
        return new ErasedLearnerView(learner.id(), learner.registeringAgencyId(), learner.registeredAt(),
                erasure.erasedAt(), erasure.consents(), erasure.milestones(), erasure.achievements(),
                erasure.links());
    }
}
