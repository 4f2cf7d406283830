package org.pathways.referral.submission;

/** Referral statuses, aligned with HL7 FHIR Task statuses. */
public enum ReferralStatus {
    SUBMITTED, RECEIVED, ACCEPTED, IN_PROGRESS, ON_HOLD, COMPLETED, REJECTED, FAILED, CANCELLED;

    public boolean open() {
        return this != COMPLETED && this != REJECTED && this != FAILED && this != CANCELLED;
    }
}
