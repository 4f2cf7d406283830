package org.pathways.learner.domain;

/** What stands between a learner and learning or work, as they describe it to a worker. */
public enum Barrier {
    TRANSPORT,
    CHILDCARE,
    CARING,
    DIGITAL_ACCESS,
    CONFIDENCE,
    HEALTH,
    MONEY
}
