package org.pathways.referral.readmodel;

import java.time.Instant;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.learner.ConsentPurpose;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.CompoundIndexes;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * What the referral-service knows of one consent, from learner events: for one agency ({@code agencyId}) or for
 * every agency of a kind ({@code agencyKind}), exactly one of the two set.
 */
@Document("consent-views")
// A learner's consents are found through learner-referrals, by _id: the former learner_agency_purpose and
// learner_kind_purpose indexes are no longer declared (drop them by hand from a running MongoDB).
@CompoundIndexes({
        // The expiry check: consents in force whose end has passed and whose cascade has not run yet.
        @CompoundIndex(name = "expiry_due", def = "{'purpose': 1, 'expiryApplied': 1, 'expiresAt': 1}")
})
public record ConsentView(@Id String consentId, String learnerId, String agencyId, AgencyKind agencyKind,
                          ConsentPurpose purpose, Instant grantedAt, Instant expiresAt, Instant withdrawnAt) {

    /** Whether this consent is for {@code agencyId}, or for its kind ({@code kind}: null when not known). */
    public boolean covers(String agencyId, AgencyKind kind) {
        return agencyId.equals(this.agencyId) || (kind != null && kind == agencyKind);
    }

    public boolean allowsAt(Instant at) {
        return withdrawnAt == null && !grantedAt.isAfter(at) && (expiresAt == null || expiresAt.isAfter(at));
    }
}
