package org.pathways.progression.milestones;

/** The kinds of learning an achievement milestone records (the contract's {@code learningKind} codes). */
public enum LearningKind {
    INFORMAL, NON_FORMAL, FORMAL
}
