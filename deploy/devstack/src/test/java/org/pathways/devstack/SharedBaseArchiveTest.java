package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which jars the back-end services' shared class-data archive is made of, and the class path each service then runs
 * with: a shared jar must be the same file in every service and must not change where any service loads a class from.
 * (The archive itself, made and mapped by real JVMs, is checked by {@link DevstackShutdownTest}.)
 */
class SharedBaseArchiveTest {

    private static final FileTime BUILT = FileTime.fromMillis(1_700_000_000_000L);

    @TempDir
    Path dir;

    @Test
    void sharesTheJarsEveryServiceHasAsTheSameFileInTheFirstServicesOrder() throws IOException {
        SharedBaseArchive.ClassPath learner = service("learner", List.of("spring.jar", "kafka.jar", "lucene.jar"),
                Map.of("spring.jar", "a/Spring", "kafka.jar", "a/Kafka", "lucene.jar", "a/Lucene"));
        SharedBaseArchive.ClassPath referral = service("referral", List.of("kafka.jar", "fhir.jar", "spring.jar"),
                Map.of("spring.jar", "a/Spring", "kafka.jar", "a/Kafka", "fhir.jar", "a/Fhir"));
        // The same name, but another build of it: not the same file.
        Files.writeString(referral.appJar().resolveSibling("lib").resolve("kafka.jar"), "another build");
        Files.setLastModifiedTime(referral.appJar().resolveSibling("lib").resolve("kafka.jar"), BUILT);

        List<Path> candidates = SharedBaseArchive.candidates(List.of(learner, referral));

        assertThat(candidates).extracting(jar -> jar.getFileName().toString()).containsExactly("spring.jar");
        assertThat(candidates.getFirst()).isEqualTo(learner.libraries().getFirst());
    }

    @Test
    void leavesOutAJarThatWouldChangeWhereAServiceLoadsAClassFrom() throws IOException {
        // Both have an old and a new copy of p/Dup in two jars, in opposite orders; the learner loads the new one
        // first, the referral-service the old. Sharing either in front would change one of them.
        SharedBaseArchive.ClassPath learner = service("learner", List.of("core.jar", "new.jar", "old.jar"),
                Map.of("core.jar", "p/Core", "new.jar", "p/Dup", "old.jar", "p/Dup"));
        SharedBaseArchive.ClassPath referral = service("referral", List.of("old.jar", "core.jar", "new.jar"),
                Map.of("core.jar", "p/Core", "new.jar", "p/Dup", "old.jar", "p/Dup"));
        List<SharedBaseArchive.ClassPath> members = List.of(learner, referral);

        List<Path> shared = SharedBaseArchive.shareable(SharedBaseArchive.candidates(members), members);

        assertThat(shared).extracting(jar -> jar.getFileName().toString()).containsExactly("core.jar");
        SharedBaseArchive.Base base = new SharedBaseArchive.Base(dir.resolve("base.jsa"), shared, "k");
        // Each service: the shared jars, then its own jar, then the rest in its own order (so p/Dup as before).
        assertThat(base.classPathOf(referral)).extracting(jar -> dir.relativize(jar).toString()).containsExactly(
                "learner/app/lib/core.jar", "referral/app/referral.jar", "referral/app/lib/old.jar",
                "referral/app/lib/new.jar");
        assertThat(base.classPathOf(learner)).extracting(jar -> dir.relativize(jar).toString()).containsExactly(
                "learner/app/lib/core.jar", "learner/app/learner.jar", "learner/app/lib/new.jar",
                "learner/app/lib/old.jar");
    }

    @Test
    void sharesJarsWhoseOrderDecidesNothingEvenWhenTheServicesListThemDifferently() throws IOException {
        SharedBaseArchive.ClassPath learner = service("learner", List.of("a.jar", "b.jar"),
                Map.of("a.jar", "p/A", "b.jar", "p/B"));
        SharedBaseArchive.ClassPath referral = service("referral", List.of("b.jar", "a.jar"),
                Map.of("a.jar", "p/A", "b.jar", "p/B"));
        List<SharedBaseArchive.ClassPath> members = List.of(learner, referral);

        assertThat(SharedBaseArchive.shareable(SharedBaseArchive.candidates(members), members))
                .extracting(jar -> jar.getFileName().toString()).containsExactly("a.jar", "b.jar");
    }

    @Test
    void readsTheMainClassAndTheLibrariesFromTheExtractedJarsManifest() throws IOException {
        SharedBaseArchive.ClassPath learner = service("learner", List.of("a.jar", "b.jar"),
                Map.of("a.jar", "p/A", "b.jar", "p/B"));

        SharedBaseArchive.ClassPath read = SharedBaseArchive.ClassPath.of(learner.appJar());

        assertThat(read.mainClass()).isEqualTo("org.pathways.learner.Main");
        assertThat(read.libraries()).containsExactlyElementsOf(learner.libraries());
    }

    /** An extracted service as Spring Boot's extract tool leaves it: app/<name>.jar naming lib/*.jar in order. */
    private SharedBaseArchive.ClassPath service(String name, List<String> libraries, Map<String, String> classes)
            throws IOException {
        Path app = Files.createDirectories(dir.resolve(name).resolve("app"));
        Path lib = Files.createDirectories(app.resolve("lib"));
        for (String library : libraries) {
            jar(lib.resolve(library), null, classes.get(library));
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "org.pathways." + name + ".Main");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH,
                String.join(" ", libraries.stream().map(library -> "lib/" + library).toList()));
        Path appJar = app.resolve(name + ".jar");
        jar(appJar, manifest, "org/pathways/" + name + "/Main");
        return new SharedBaseArchive.ClassPath(appJar, "org.pathways." + name + ".Main",
                libraries.stream().map(lib::resolve).toList());
    }

    /** A jar with one class entry (its bytes name the jar, so two jars' copies differ), built at a fixed time. */
    private static void jar(Path path, Manifest manifest, String type) throws IOException {
        try (OutputStream file = Files.newOutputStream(path);
                JarOutputStream jar = manifest == null ? new JarOutputStream(file) : new JarOutputStream(file,
                        manifest)) {
            JarEntry entry = new JarEntry(type + ".class");
            entry.setTime(BUILT.toMillis());
            jar.putNextEntry(entry);
            jar.write(path.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        Files.setLastModifiedTime(path, BUILT);
    }
}
