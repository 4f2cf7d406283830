package org.pathways.learner.consent;

import java.time.Instant;

import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.learner.profile.ConsentMethod;

/** What a worker records when a learner consents: for which agency, what, how, and until when (optional). */
public record RecordConsent(
        @NotBlank @Pattern(regexp = "[A-Za-z0-9._:-]{1,64}") String agencyId,
        @NotNull ConsentPurpose purpose,
        @NotNull ConsentMethod method,
        @Future Instant expiresAt) {
}
