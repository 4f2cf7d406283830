package org.pathways.referral.erasure;

import java.time.Instant;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A pseudonymous tombstone: this learner id was erased, and when. Checked around every new referral, so that a
 * submission, re-routing or next step racing with the erasure cannot leave a referral holding their personal data.
 */
@Document("erased-learners")
public record ErasedLearner(@Id String learnerId, Instant erasedAt) {
}
