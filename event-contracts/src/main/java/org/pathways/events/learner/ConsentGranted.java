package org.pathways.events.learner;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/** A learner consented to {@code purpose} for one agency, optionally until {@code expiresAt}. */
public record ConsentGranted(String learnerId, String consentId, String agencyId, ConsentPurpose purpose,
                             Instant grantedAt, Instant expiresAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
