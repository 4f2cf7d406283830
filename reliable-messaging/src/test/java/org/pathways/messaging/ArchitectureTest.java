package org.pathways.messaging;

import org.pathways.testing.architecture.ServiceShapeTest;

/**
 * The messaging module's parts (outbox, inbox, leases, dead letters, CloudEvents, agency kinds, broker security,
 * tracing, configuration) depend on each other without cycles, and keep their internals; and none of them uses the
 * base package, whose auto-configuration puts them together.
 */
class ArchitectureTest extends ServiceShapeTest {

    ArchitectureTest() {
        super("org.pathways.messaging");
    }
}
