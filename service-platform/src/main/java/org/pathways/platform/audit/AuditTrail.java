package org.pathways.platform.audit;

/**
 * Where audit records go. The platform's own is the service's {@code audit-trail} collection
 * ({@link MongoAuditTrail}); a service (or a test that needs the trail to fail) may supply another bean.
 */
public interface AuditTrail {

    /** Stores the record, or throws: a caller that must not go on unaudited relies on the exception. */
    void record(AuditRecord record);
}
