package org.pathways.platform.audit;

import org.springframework.data.mongodb.core.MongoTemplate;

/** The audit trail in the service's own database ({@value AuditRecord#COLLECTION}). */
public class MongoAuditTrail implements AuditTrail {

    private final MongoTemplate mongo;

    public MongoAuditTrail(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public void record(AuditRecord record) {
        mongo.insert(record, AuditRecord.COLLECTION);
    }
}
