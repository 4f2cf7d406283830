package org.pathways.learner.relationship;

import java.time.Instant;

import org.pathways.events.referral.ReferralStatus;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One referral of a learner, as the referral events last told it: while it is open (submitted to in progress, or on
 * hold), the receiving agency may read what a referral needs of the learner; the referring agency gains nothing
 * from it. Read model only; the referral-service owns referrals.
 *
 * @param asOf          when the status applied was reached (the event's own time), to ignore older news arriving late
 * @param opportunityId what the learner was referred to (null for a referral recorded before it was kept), to spot
 *                      two open referrals to the same provision in the team view
 * @param withoutConsent true while the referral is held because the learner's consent for it was withdrawn or
 *                      expired (null before it was kept: false)
 */
@Document("referral_relationships")
public record ReferralRelationship(@Id String referralId, @Indexed String learnerId, String referringAgencyId,
                                   @Indexed String receivingAgencyId, ReferralStatus status, Instant asOf,
                                   String opportunityId, Boolean withoutConsent) {

    public boolean isLive() {
        return status.open();
    }

    /**
     * Whether this referral opens the learner's record to {@code agencyId} now: only the receiver, only while open,
     * and not while it is held because the learner's consent for it was withdrawn ({@code withoutConsent}).
     */
    public boolean opensTo(String agencyId) {
        return isLive() && !Boolean.TRUE.equals(withoutConsent) && agencyId.equals(receivingAgencyId);
    }

    /**
     * Whether news of {@code next} at {@code at} replaces what this relationship knows. A closed referral stays
     * closed (completed, failed, cancelled and rejected are final); news of a close always applies; otherwise the
     * newer news wins, so a redelivered or late "received" never reopens or rewinds it.
     */
    boolean isSupersededBy(ReferralStatus next, Instant at) {
        if (!status.open()) {
            return false;
        }
        if (!next.open()) {
            return true;
        }
        return asOf == null || at == null || !at.isBefore(asOf);
    }
}
