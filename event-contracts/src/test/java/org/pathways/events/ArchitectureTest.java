package org.pathways.events;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The published language's parts (one package per producer: learner, referral, opportunity, agency, delivery) never
 * depend on each other in a cycle: a consumer of one producer's events needs only that package. They all depend on
 * the base package ({@link PathwaysEvent}, {@link Topic}), whose {@link EventType} is the index of every part's
 * types; the base is not a part. (This module cannot use platform-testing's {@code ServiceShapeTest}: that module
 * depends on this one.)
 */
class ArchitectureTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("org.pathways.events");

    @Test
    void eachProducersEventsStandWithoutCycles() {
        slices().matching("org.pathways.events.(*)..").namingSlices("events of $1")
                .should().beFreeOfCycles()
                .check(classes);
    }
}
