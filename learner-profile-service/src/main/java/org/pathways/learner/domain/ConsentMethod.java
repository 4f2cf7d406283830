package org.pathways.learner.domain;

/** How the learner gave a consent, as the worker recorded it. */
public enum ConsentMethod {
    VERBAL,
    WRITTEN,
    DIGITAL
}
