package org.pathways.learner.profile;

import java.time.Instant;

import org.pathways.events.learner.ConsentPurpose;

/** A consent as the API shows it; {@code active} is whether it is in force now. */
public record ConsentView(String id, String agencyId, ConsentPurpose purpose, ConsentMethod method,
                          String recordedBy, Instant recordedAt, Instant expiresAt, String withdrawnBy,
                          Instant withdrawnAt, boolean active) {

    public static ConsentView of(Consent consent, Instant now) {
        return new ConsentView(consent.id(), consent.agencyId(), consent.purpose(), consent.method(),
                consent.recordedBy(), consent.recordedAt(), consent.expiresAt(), consent.withdrawnBy(),
                consent.withdrawnAt(), consent.isInForceAt(now));
    }
}
