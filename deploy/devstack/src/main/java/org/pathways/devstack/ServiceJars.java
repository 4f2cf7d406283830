package org.pathways.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks that the build has produced every service's runnable jar, so that a missing one is named up front. */
final class ServiceJars {

    private ServiceJars() {
    }

    /** The jars of {@code services} that do not exist under {@code repositoryRoot}. */
    static List<Path> missing(Path repositoryRoot, List<PlatformService> services) {
        return services.stream()
                .map(service -> service.execJar(repositoryRoot))
                .filter(jar -> !Files.isRegularFile(jar))
                .toList();
    }
}
