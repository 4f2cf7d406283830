package org.pathways.learner.domain;

import java.time.Instant;

/** What remains of an erased learner: when, by whom, and how much there was; nothing that names the person. */
public record Erasure(Instant erasedAt, String erasedByAgencyId, int consents, int milestones, int achievements,
                     int links) {
}
