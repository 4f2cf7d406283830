package org.pathways.events.referral;

/** How soon the referring worker needs the receiving agency to respond. */
public enum Urgency {
    ROUTINE,
    SOON,
    URGENT
}
