package org.pathways.events.referral;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/** A referral missed a partnership response time (raised once per breach). */
public record ReferralOverdue(String referralId, String learnerId, String opportunityId, String referringAgencyId,
        String receivingAgencyId, ReferralStatus status, SlaBreach breach, Instant dueAt, Instant detectedAt)
        implements PathwaysEvent {
    @Override
    public String subject() {
        return referralId;
    }
}
