package org.pathways.events.learner;

/**
 * A part of a learner's profile, named in {@link LearnerProfileUpdated} to say what changed without saying what it
 * now holds.
 */
public enum ProfileField {
    NAME, DATE_OF_BIRTH, CONTACT, LOCALITY, LANGUAGE, ACCESSIBILITY, BARRIERS, GOALS, INTERESTS, ACHIEVEMENTS
}
