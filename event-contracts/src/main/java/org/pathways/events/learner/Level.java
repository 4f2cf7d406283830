package org.pathways.events.learner;

/**
 * Level of learning in the Regulated Qualifications Framework: Entry 1 to 3, then levels 1 to 8 (the {@code level}
 * of an achievement; {@link MilestoneRecorded#level()} carries its name).
 */
public enum Level {
    E1, E2, E3, L1, L2, L3, L4, L5, L6, L7, L8
}
