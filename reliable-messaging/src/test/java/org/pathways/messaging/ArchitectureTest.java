package org.pathways.messaging;

import org.pathways.testing.architecture.ServiceShapeTest;

/**
 * The messaging module's parts (outbox, inbox, leases, dead letters, CloudEvents, agency kinds, broker security)
 * depend on each other without cycles, and keep their internals.
 */
class ArchitectureTest extends ServiceShapeTest {

    ArchitectureTest() {
        super("org.pathways.messaging");
    }
}
