package org.pathways.devstack;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Run by the build, after this module's jar is packaged: does ahead the part of a devstack's first start that needs
 * nothing but the jars, into {@code deploy/devstack/target/cds}. Each service's Spring Boot jar is extracted, and the
 * back end's shared class-data base archive ({@link SharedBaseArchive}) is made: about 20 CPU-seconds that a first
 * start would otherwise wait for before it could launch the back-end services. A devstack's data directory takes them
 * from there ({@link ServiceLaunch}) when they are for the jars it runs. What is already up to date is left alone, so
 * a build that changed nothing costs a second.
 *
 * <p>Never fails the build: the archives are an optimisation, and a devstack without them makes its own.
 */
public final class BuildTimeArchives {

    private BuildTimeArchives() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path root = RepositoryRoot.findFrom(Path.of("")).orElse(null);
        if (root == null) {
            System.out.println(ChildProcess.prefix("devstack") + "no Pathways checkout found from "
                    + Path.of("").toAbsolutePath() + "; nothing prepared for the devstack's first start");
            return;
        }
        List<PlatformService> services = PlatformService.all();
        if (!ServiceJars.missing(root, services).isEmpty()) {
            System.out.println(ChildProcess.prefix("devstack") + "not every service's jar is built ("
                    + ServiceJars.missing(root, services) + "); nothing prepared for the devstack's first start");
            return;
        }
        Path dir = ServiceLaunch.builtAhead(root);
        long started = System.nanoTime();
        try {
            SharedBaseArchive.Base base = new ServiceLaunch(root, dir, dir.resolve("logs"), null, System.out)
                    .prepareAhead(services);
            if (base != null) {
                System.out.printf(ChildProcess.prefix("devstack") + "the devstack's first start prepared in %s: "
                        + "%d jars extracted, the back end's shared class-data archive of %d libraries (%.1f s)%n", root.relativize(dir),
                        services.size(), base.jars().size(), (System.nanoTime() - started) / 1e9);
            }
        } catch (IOException | RuntimeException e) {
            System.out.println(ChildProcess.prefix("devstack") + "could not prepare the devstack's first start ("
                    + e + "); it will do it itself");
        }
    }
}
