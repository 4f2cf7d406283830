package org.pathways.events.referral;

/** Where a referral stands, aligned with HL7 FHIR Task statuses. */
public enum ReferralStatus {
    SUBMITTED, RECEIVED, ACCEPTED, IN_PROGRESS, ON_HOLD, COMPLETED, REJECTED, FAILED, CANCELLED;

    /** Whether the referral still waits for someone to act on it. */
    public boolean open() {
        return this != COMPLETED && this != REJECTED && this != FAILED && this != CANCELLED;
    }
}
