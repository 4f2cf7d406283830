package org.pathways.learner.domain;

/** The steps of a learner's progression timeline. */
public enum MilestoneKind {
    FIRST_CONTACT,
    INITIAL_ASSESSMENT,
    ENROLLED,
    ATTENDED,
    COMPLETED,
    /** Carries the kind of learning, a level where one applies, and whether it is accredited. */
    ACHIEVEMENT_GAINED,
    PROGRESSED_TO_FURTHER_LEARNING,
    INTO_VOLUNTEERING,
    INTO_WORK
}
