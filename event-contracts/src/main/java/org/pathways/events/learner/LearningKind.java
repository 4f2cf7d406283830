package org.pathways.events.learner;

/**
 * The three kinds of learning the partnership recognises, all first-class: the {@code learningKind} of an
 * achievement ({@link MilestoneRecorded#learningKind()} carries its name). One list for every service that records or
 * shows achievements.
 */
public enum LearningKind {
    /** Learnt in daily life, volunteering or work, without a course. */
    INFORMAL,
    /** Organised learning without a qualification (a community course, a workshop), possibly recognised. */
    NON_FORMAL,
    /** A course leading to a qualification. */
    FORMAL
}
