package org.pathways.referral.readmodel;

import java.time.Instant;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * What the referral-service knows of a learner, from {@code learner.registered}: which agency registered them (and
 * so has standing to refer them); from {@code learner.merged}, the record a retired one was merged into, whose
 * consents then count for the retired id's referrals too. Ids only.
 */
@Document("learner-views")
public record LearnerView(@Id String learnerId, String registeringAgencyId, Instant registeredAt, String mergedInto) {
}
