package org.pathways.learner.audit;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import org.pathways.platform.security.Caller;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Service;

/**
 * Records every access to a learner's personal data. Written before the data is answered: if the audit cannot be
 * written, the read fails rather than going unrecorded.
 */
@Service
public class AccessAudit {

    private final MongoTemplate mongo;
    private final Clock clock;

    AccessAudit(MongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
    }

    public void record(Caller caller, String learnerId, AccessAction action, AccessRequest request) {
        mongo.insert(new AuditEntry("aud-" + UUID.randomUUID(), learnerId, action, caller.userId(),
                caller.agencyId(), clock.instant(), request.purpose(), request.correlationId()));
    }

    /** The trail for one learner, oldest first. */
    public List<AuditEntry> trail(String learnerId) {
        return mongo.find(Query.query(Criteria.where("learnerId").is(learnerId)).with(Sort.by("at", "_id")),
                AuditEntry.class);
    }
}
