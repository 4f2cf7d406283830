package org.pathways.progression;

import org.pathways.testing.architecture.ServiceShapeTest;

/** The progression service's features depend on each other without cycles, and keep their internals (issue 18). */
class ArchitectureTest extends ServiceShapeTest {

    ArchitectureTest() {
        super("org.pathways.progression");
    }
}
