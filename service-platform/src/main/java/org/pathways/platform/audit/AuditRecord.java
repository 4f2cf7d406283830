package org.pathways.platform.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.CompoundIndexes;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One audited request: who (user and agency, with their roles), when, what (a write, or a read of personal data),
 * the route and the ids it named, the outcome, and the correlation id that joins it to the gateway's and other
 * services' records. Ids and codes only: no request or response bodies.
 */
@Document(AuditRecord.COLLECTION)
@CompoundIndexes({
        @CompoundIndex(name = "agency_time", def = "{'agencyId': 1, 'at': -1, '_id': -1}"),
        @CompoundIndex(name = "user_time", def = "{'userId': 1, 'at': -1}"),
        @CompoundIndex(name = "correlation", def = "{'correlationId': 1}")})
public record AuditRecord(@Id String id, Instant at, String service, Kind kind, String userId, String agencyId,
                          List<String> roles, String method, String route, Map<String, String> ids, String purpose,
                          int status, String correlationId) {

    public static final String COLLECTION = "audit-trail";

    public enum Kind {
        WRITE, PERSONAL_DATA_READ
    }
}
