package org.pathways.events.learner;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;
import org.pathways.events.agency.AgencyKind;

/**
 * A learner consented to {@code purpose}, optionally until {@code expiresAt}, either for one agency
 * ({@code agencyId}) or for every agency of one kind ({@code agencyKind}): exactly one of the two is set.
 */
public record ConsentGranted(String learnerId, String consentId, String agencyId, AgencyKind agencyKind,
                             ConsentPurpose purpose, Instant grantedAt, Instant expiresAt) implements PathwaysEvent {

    /** A consent for one agency. */
    public ConsentGranted(String learnerId, String consentId, String agencyId, ConsentPurpose purpose,
                          Instant grantedAt, Instant expiresAt) {
        this(learnerId, consentId, agencyId, null, purpose, grantedAt, expiresAt);
    }

    @Override
    public String subject() {
        return learnerId;
    }
}
