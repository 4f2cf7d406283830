package org.pathways.learner.audit;

import java.time.Instant;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One access to a learner's personal data. Holds ids and codes only, no personal data of the learner, so it survives
 * the learner's erasure as the record of who saw what before.
 */
@Document("audit")
@CompoundIndex(name = "learner_time", def = "{'learnerId': 1, 'at': 1}")
public record AuditEntry(@Id String id, String learnerId, AccessAction action, String userId, String agencyId,
                         Instant at, AccessPurpose purpose, String correlationId) {
}
