package org.pathways.learner.consent;

import java.time.Instant;

import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.NotNull;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.learner.domain.ConsentMethod;
import org.pathways.platform.validation.ResourceId;

/**
 * What a worker records when a learner consents: for one agency ({@code agencyId}) or for every agency of one kind
 * ({@code agencyKind}, including agencies that join later) — exactly one of the two, else {@code 422} — what, how,
 * and until when (optional).
 */
public record RecordConsent(
        @ResourceId String agencyId,
        AgencyKind agencyKind,
        @NotNull ConsentPurpose purpose,
        @NotNull ConsentMethod method,
        @Future Instant expiresAt) {
}
