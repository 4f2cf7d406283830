package org.pathways.learner.audit;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import org.pathways.platform.audit.AuditUnavailable;
import org.pathways.platform.security.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
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

    private static final Logger LOG = LoggerFactory.getLogger(AccessAudit.class);

    private final MongoTemplate mongo;
    private final Clock clock;

    AccessAudit(MongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
    }

    /**
     * Records an access, with the relationships that allowed it ({@code grounds}). Call it before the data is
     * answered: if the entry cannot be written the read fails closed, as a {@code 503 audit-unavailable} the
     * caller may retry, never as an unrecorded read.
     */
    public void record(Caller caller, String learnerId, AccessAction action, AccessRequest request,
                       List<String> grounds) {
        try {
            mongo.insert(new AuditEntry("aud-" + UUID.randomUUID(), learnerId, action, caller.userId(),
                    caller.agencyId(), clock.instant(), request.purpose(), request.correlationId(), grounds));
        } catch (DataAccessException failed) {
            LOG.warn("An access to a learner's data was refused because the audit could not be written: {}",
                    failed.getClass().getSimpleName());
            throw AuditUnavailable.problem();
        }
    }

    /** Up to {@code size} entries of one learner's trail, oldest first, after {@code after} (null: from the start). */
    AuditPage trail(String learnerId, AuditCursor after, int size) {
        Criteria criteria = Criteria.where("learnerId").is(learnerId);
        if (after != null) {
            criteria = criteria.orOperator(Criteria.where("at").gt(after.at()),
                    Criteria.where("at").is(after.at()).and("_id").gt(after.id()));
        }
        List<AuditEntry> found = mongo.find(Query.query(criteria).with(Sort.by("at", "_id")).limit(size + 1),
                AuditEntry.class);
        if (found.size() <= size) {
            return new AuditPage(found, null);
        }
        List<AuditEntry> page = found.subList(0, size);
        return new AuditPage(List.copyOf(page), AuditCursor.after(page.getLast()));
    }
}
