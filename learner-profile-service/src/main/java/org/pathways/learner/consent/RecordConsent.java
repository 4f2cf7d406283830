package org.pathways.learner.consent;

import java.time.Instant;

import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.learner.domain.ConsentMethod;

/**
 * What a worker records when a learner consents: for one agency ({@code agencyId}) or for every agency of one kind
 * ({@code agencyKind}, including agencies that join later) — exactly one of the two, else {@code 422} — what, how,
 * and until when (optional).
 */
public record RecordConsent(
        @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}") String agencyId,
        AgencyKind agencyKind,
        @NotNull ConsentPurpose purpose,
        @NotNull ConsentMethod method,
        @Future Instant expiresAt) {
}
