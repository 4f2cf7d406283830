package org.pathways.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the checkout the devstack belongs to, so that it can be started from any directory inside it and still
 * find the service jars it launches.
 */
final class RepositoryRoot {

    private RepositoryRoot() {
    }

    /** The nearest directory, from {@code start} upwards, holding both the reactor pom and the devstack module. */
    static Optional<Path> findFrom(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("deploy/devstack"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }
}
