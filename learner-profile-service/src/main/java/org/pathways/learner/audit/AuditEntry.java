package org.pathways.learner.audit;

import java.time.Instant;
import java.util.List;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One access to a learner's personal data. Holds ids and codes only, no personal data of the learner, so it survives
 * the learner's erasure as the record of who saw what before. {@code grounds} says why the agency could see it:
 * {@code registering-agency}, {@code consent:<consentId>} or {@code referral:<referralId>} (empty for a duplicate
 * match, which discloses only that a record exists).
 */
@Document("audit")
@CompoundIndex(name = "learner_time_id", def = "{'learnerId': 1, 'at': 1, '_id': 1}")
public record AuditEntry(@Id String id, String learnerId, AccessAction action, String userId, String agencyId,
                         Instant at, AccessPurpose purpose, String correlationId, List<String> grounds) {

    public AuditEntry {
        grounds = grounds == null ? List.of() : List.copyOf(grounds);
    }
}
