package org.pathways.referral;

import org.pathways.platform.audit.AuditRecord;
import org.pathways.platform.audit.AuditTrail;
import org.pathways.platform.audit.MongoAuditTrail;
import org.springframework.dao.DataAccessResourceFailureException;

/**
 * The service's real audit trail (its {@code audit-trail} collection), which a test can take down as an unreachable
 * store would be: while down, every record fails the way the driver fails.
 */
public class SwitchableAuditTrail implements AuditTrail {

    private final MongoAuditTrail real;
    private volatile boolean down;

    SwitchableAuditTrail(MongoAuditTrail real) {
        this.real = real;
    }

    public void down(boolean down) {
        this.down = down;
    }

    @Override
    public void record(AuditRecord record) {
        if (down) {
            throw new DataAccessResourceFailureException("Timed out while waiting for a server (audit trail down)");
        }
        real.record(record);
    }
}
