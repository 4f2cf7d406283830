package org.pathways.events.learner;

/** Why a learner's lead worker stopped being their lead without a handover. */
public enum LeadEndReason {
    /** The lead's agency stepped down. */
    STEPPED_DOWN,
    /** The lead's agency no longer has standing: the consent it held was withdrawn or lapsed. */
    STANDING_LOST,
    /** The learner's personal data was erased. */
    LEARNER_ERASED
}
