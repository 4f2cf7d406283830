package org.pathways.referral.domain;

/** The reason given does not fit the action (a code it does not take, a missing code, OTHER without text). */
public class InvalidReason extends RuntimeException {
    public InvalidReason(String message) {
        super(message);
    }
}
