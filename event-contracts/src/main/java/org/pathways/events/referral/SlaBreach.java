package org.pathways.events.referral;

/** Which partnership response time a referral missed. */
public enum SlaBreach {
    /** Not received (acknowledged) in time. */
    ACKNOWLEDGE,
    /** Not accepted or rejected in time. */
    DECIDE
}
