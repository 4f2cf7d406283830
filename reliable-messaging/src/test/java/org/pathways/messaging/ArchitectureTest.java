package org.pathways.messaging;

import org.junit.jupiter.api.Test;
import org.pathways.testing.architecture.ServiceShape;
import org.pathways.testing.architecture.ServiceShapeTest;

/**
 * The messaging module's parts (outbox, inbox, leases, dead letters, CloudEvents, agency kinds, broker security,
 * tracing, configuration) depend on each other without cycles, and keep their internals; and none of them uses the
 * base package, whose auto-configuration puts them together.
 */
class ArchitectureTest extends ServiceShapeTest {

    private static final ServiceShape SHAPE = ServiceShape.of("org.pathways.messaging");

    ArchitectureTest() {
        super("org.pathways.messaging");
    }

    @Test
    void theBasePackageAndThePartsHaveNoCycles() {
        SHAPE.packagesFreeOfCycles().check(SHAPE.productionClasses());
    }
}
