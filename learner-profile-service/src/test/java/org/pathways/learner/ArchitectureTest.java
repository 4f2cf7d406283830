package org.pathways.learner;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;
import org.pathways.testing.architecture.ServiceShape;

/** The learner-profile service's features depend on each other without cycles, and keep their internals (issue 18). */
class ArchitectureTest {

    private static final ServiceShape SHAPE = ServiceShape.of("org.pathways.learner");
    private static final JavaClasses CLASSES = SHAPE.productionClasses();

    @Test
    void featuresHaveNoCycles() {
        SHAPE.featuresFreeOfCycles().check(CLASSES);
    }

    @Test
    void internalsStayInsideTheirFeature() {
        SHAPE.internalsStayInside().check(CLASSES);
    }
}
