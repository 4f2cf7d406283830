package org.pathways.testing.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

/**
 * The checks of {@link ServiceShape} a service runs against its own production classes: a service's
 * {@code ArchitectureTest} extends this with its base package, and inherits all three tests (features without
 * cycles, the base package and the features without cycles, internals kept inside).
 */
public abstract class ServiceShapeTest {

    private final ServiceShape shape;
    private final JavaClasses classes;

    protected ServiceShapeTest(String basePackage) {
        this.shape = ServiceShape.of(basePackage);
        this.classes = shape.productionClasses();
    }

    @Test
    void featuresHaveNoCycles() {
        shape.featuresFreeOfCycles().check(classes);
    }

    @Test
    void basePackageAndFeaturesHaveNoCycles() {
        shape.packagesFreeOfCycles().check(classes);
    }

    @Test
    void internalsStayInsideTheirFeature() {
        shape.internalsStayInside().check(classes);
    }
}
