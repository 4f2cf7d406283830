package org.pathways.learner.domain;

/** The three kinds of learning the partnership recognises, all first-class. */
public enum LearningKind {
    /** Learnt in daily life, volunteering or work, without a course. */
    INFORMAL,
    /** Organised learning without a qualification (a community course, a workshop), possibly recognised. */
    NON_FORMAL,
    /** A course leading to a qualification. */
    FORMAL
}
