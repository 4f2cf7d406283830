package org.pathways.referral.readmodel;

import java.time.Instant;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * What the referral-service knows of a learner, from {@code learner.registered}: which agency registered them (and
 * so has standing to refer them). Ids only.
 */
@Document("learner-views")
public record LearnerView(@Id String learnerId, String registeringAgencyId, Instant registeredAt) {
}
