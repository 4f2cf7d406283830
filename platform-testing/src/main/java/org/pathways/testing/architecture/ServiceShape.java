package org.pathways.testing.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * The shape every service keeps (issue 18), as ArchUnit rules a service's {@code ArchitectureTest} checks against its
 * own production classes:
 *
 * <ul>
 *   <li>{@link #featuresFreeOfCycles()}: the service's top-level packages (its features, e.g.
 *       {@code org.pathways.referral.submission}) never depend on each other in a cycle;</li>
 *   <li>{@link #packagesFreeOfCycles()} (stricter): the same, with the base package as one more part, so that
 *       what the base package holds (the application class, an auto-configuration) may use the features and none of
 *       them uses it back;</li>
 *   <li>{@link #internalsStayInside()}: a class in a feature's {@code internal} package (e.g.
 *       {@code org.pathways.referral.submission.internal}) is used only from inside that feature — the rest of the
 *       service goes through the feature's own package.</li>
 * </ul>
 */
public final class ServiceShape {

    private final String basePackage;

    private ServiceShape(String basePackage) {
        this.basePackage = basePackage;
    }

    /** The shape of the service whose classes live under {@code basePackage} (e.g. {@code org.pathways.referral}). */
    public static ServiceShape of(String basePackage) {
        return new ServiceShape(basePackage);
    }

    /** The service's production classes (tests and jars excluded). */
    public JavaClasses productionClasses() {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(basePackage);
    }

    public ArchRule featuresFreeOfCycles() {
        return slices().matching(basePackage + ".(*)..")
                .namingSlices("feature $1")
                .should().beFreeOfCycles()
                .as("the features of " + basePackage + " depend on each other without cycles");
    }

    /**
     * The features and the base package itself never depend on each other in a cycle: what the base package holds
     * (e.g. an auto-configuration that puts the features together) may use the features, and then none of them may
     * use it back.
     */
    public ArchRule packagesFreeOfCycles() {
        return slices().assignedFrom(new SliceAssignment() {
                    @Override
                    public SliceIdentifier getIdentifierOf(JavaClass type) {
                        if (type.getPackageName().equals(basePackage)) {
                            return SliceIdentifier.of("base package " + basePackage);
                        }
                        String feature = featureOf(type);
                        return feature == null ? SliceIdentifier.ignore() : SliceIdentifier.of("feature " + feature);
                    }

                    @Override
                    public String getDescription() {
                        return "the base package and the features of " + basePackage;
                    }
                })
                .should().beFreeOfCycles()
                .as("the base package and the features of " + basePackage + " depend on each other without cycles");
    }

    public ArchRule internalsStayInside() {
        return ArchRuleDefinition.classes()
                .that(inAnInternalPackage())
                .should(onlyBeUsedFromTheirOwnFeature())
                .allowEmptyShould(true)
                .as("a feature's internal classes are used only inside that feature");
    }

    private DescribedPredicate<JavaClass> inAnInternalPackage() {
        return DescribedPredicate.describe("are in a feature's internal package",
                type -> featureOf(type) != null && type.getPackageName().contains(".internal"));
    }

    private ArchCondition<JavaClass> onlyBeUsedFromTheirOwnFeature() {
        return new ArchCondition<>("only be used from their own feature") {
            @Override
            public void check(JavaClass internal, ConditionEvents events) {
                String feature = featureOf(internal);
                internal.getDirectDependenciesToSelf().forEach(dependency -> {
                    JavaClass user = dependency.getOriginClass();
                    String userFeature = featureOf(user);
                    if (userFeature != null && !userFeature.equals(feature)) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                    }
                });
            }
        };
    }

    /** The feature (first package below the base) a class belongs to, or null for classes in the base package. */
    String featureOf(JavaClass type) {
        String name = type.getPackageName();
        if (!name.startsWith(basePackage + ".")) {
            return null;
        }
        String rest = name.substring(basePackage.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }
}
