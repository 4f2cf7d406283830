package org.pathways.learner.domain;

import java.time.Instant;

/**
 * A worker's statement that this record and another are the same person. A link never merges: each record keeps
 * its own history, consents and registering agency, and a link gives no agency access to the other record.
 */
public record LearnerLink(String learnerId, String linkedByAgencyId, String linkedBy, Instant linkedAt) {
}
