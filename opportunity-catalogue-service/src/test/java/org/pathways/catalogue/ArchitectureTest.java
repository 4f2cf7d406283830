package org.pathways.catalogue;

import org.pathways.testing.architecture.ServiceShapeTest;

/** The catalogue's features depend on each other without cycles, and keep their internals (issue 18). */
class ArchitectureTest extends ServiceShapeTest {

    ArchitectureTest() {
        super("org.pathways.catalogue");
    }
}
