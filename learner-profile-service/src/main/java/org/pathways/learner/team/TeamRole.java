package org.pathways.learner.team;

/** Why an agency is in a learner's team. */
public enum TeamRole {
    /** It registered the learner. */
    REGISTERING,
    /** The learner's consent to it (or to its kind) is in force. */
    CONSENT,
    /** It made an open referral of the learner. */
    REFERRING,
    /** It receives an open referral of the learner. */
    RECEIVING
}
