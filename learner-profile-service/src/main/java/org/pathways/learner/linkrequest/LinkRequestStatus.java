package org.pathways.learner.linkrequest;

/** Where a link request stands: waiting for the owning agency, or its answer. */
public enum LinkRequestStatus {
    PENDING,
    ACCEPTED,
    DECLINED
}
