package org.pathways.learner.consent;

import java.time.Instant;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.learner.domain.Consent;
import org.pathways.learner.domain.ConsentMethod;

/**
 * A consent as the API shows it: for one agency ({@code agencyId}) or every agency of a kind ({@code agencyKind});
 * {@code active} is whether it is in force now.
 */
public record ConsentView(String id, String agencyId, AgencyKind agencyKind, ConsentPurpose purpose, ConsentMethod method,
                          String recordedBy, Instant recordedAt, Instant expiresAt, String withdrawnBy,
                          Instant withdrawnAt, boolean active) {

    public static ConsentView of(Consent consent, Instant now) {
        return new ConsentView(consent.id(), consent.agencyId(), consent.agencyKind(), consent.purpose(), consent.method(),
                consent.recordedBy(), consent.recordedAt(), consent.expiresAt(), consent.withdrawnBy(),
                consent.withdrawnAt(), consent.isInForceAt(now));
    }
}
