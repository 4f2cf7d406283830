package org.pathways.events;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The published language's parts (one package per producer: learner, referral, opportunity, agency, delivery; and the
 * catalogue of every type) never depend on each other in a cycle, and neither does the base package
 * ({@link PathwaysEvent}, {@link Topic}) with any of them: every part depends on the base, so the base depends on
 * none, and a consumer of one producer's events needs only that package and the base. (This module cannot use
 * platform-testing's {@code ServiceShapeTest}: that module depends on this one.)
 */
class ArchitectureTest {

    private static final String BASE = "org.pathways.events";

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages(BASE);

    /** A class's part: the package right below the base it lies in, or the base package itself. */
    private static final SliceAssignment PARTS = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass type) {
            String name = type.getPackageName();
            if (name.equals(BASE)) {
                return SliceIdentifier.of("the base package");
            }
            if (!name.startsWith(BASE + ".")) {
                return SliceIdentifier.ignore();
            }
            String rest = name.substring(BASE.length() + 1);
            int dot = rest.indexOf('.');
            return SliceIdentifier.of("package " + (dot < 0 ? rest : rest.substring(0, dot)));
        }

        @Override
        public String getDescription() {
            return "the base package and each package below it";
        }
    };

    @Test
    void theBasePackageAndEachProducersEventsStandWithoutCycles() {
        slices().assignedFrom(PARTS).should().beFreeOfCycles().check(classes);
    }
}
