package org.pathways.events.learner;

/** Where a step of a learner's shared plan stands. {@code DONE} and {@code DROPPED} are where a step ends. */
public enum PlanStepStatus {
    PLANNED,
    DOING,
    DONE,
    DROPPED
}
