package org.pathways.learner.domain;

import java.time.Instant;

/** A record folded into this one by an explicit merge; the retired record keeps its own history. */
public record MergeRecord(String learnerId, String mergedByAgencyId, String mergedBy, Instant mergedAt) {
}
