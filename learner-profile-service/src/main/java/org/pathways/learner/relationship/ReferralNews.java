package org.pathways.learner.relationship;

import java.time.Instant;

import org.pathways.events.referral.ReferralStatus;

/**
 * The part of a referral event this service reads (the relationships and the milestones alike); unknown fields are
 * ignored, so this depends only on the documented contract, not on the producer's records.
 */
public record ReferralNews(String referralId, String learnerId, String referringAgencyId, String receivingAgencyId,
                           String opportunityId, ReferralStatus status, Instant at, Instant submittedAt,
                           String reason) {
}
