package org.pathways.referral.readmodel;

import java.time.Instant;

import org.pathways.events.learner.ConsentPurpose;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.mapping.Document;

/** What the referral-service knows of one consent, from learner events. */
@Document("consent-views")
@CompoundIndex(name = "learner_agency_purpose", def = "{'learnerId': 1, 'agencyId': 1, 'purpose': 1}")
public record ConsentView(@Id String consentId, String learnerId, String agencyId, ConsentPurpose purpose,
                          Instant grantedAt, Instant expiresAt, Instant withdrawnAt) {

    public boolean allowsAt(Instant at) {
        return withdrawnAt == null && !grantedAt.isAfter(at) && (expiresAt == null || expiresAt.isAfter(at));
    }
}
