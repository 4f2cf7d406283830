package org.pathways.learner.domain;

/** How the learner prefers to be contacted. E-mail needs an e-mail address; phone and text need a number. */
public enum ContactMethod {
    EMAIL,
    PHONE,
    TEXT,
    IN_PERSON,
    THROUGH_WORKER
}
