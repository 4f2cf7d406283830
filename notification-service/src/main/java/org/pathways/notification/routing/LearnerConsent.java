package org.pathways.notification.routing;

import java.time.Instant;

import org.pathways.events.agency.AgencyKind;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A learner's consent for one agency ({@code agencyId}) or for every agency of a kind ({@code agencyKind}; exactly
 * one of the two is set), as the learner events tell it: the local read model that says which agencies may hear of
 * the learner's milestones (an active, unexpired {@code OUTCOME_SHARING} consent). Ids and codes only.
 */
@Document("learner_consents")
// "The learners who consented for a kind" (an agency's kind changed): read off the index alone, in learner order.
@CompoundIndex(name = "kind_learner", def = "{'agencyKind': 1, 'active': 1, 'learnerId': 1}")
record LearnerConsent(@Id String consentId, @Indexed String learnerId, String agencyId, AgencyKind agencyKind,
                      String purpose, Instant expiresAt, boolean active) {
}
