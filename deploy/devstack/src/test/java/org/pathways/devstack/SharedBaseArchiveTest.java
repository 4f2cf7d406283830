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
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
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
    void sharesThisProjectsOwnModulesOnlyWithTheSameContentAsTheyKeepTheirSizeAndTimeAcrossEdits() throws IOException {
        Map<String, String> classes = Map.of("spring.jar", "a/Spring", "service-platform-0.1.0-SNAPSHOT.jar",
                "org/pathways/platform/Platform");
        List<String> libraries = List.of("spring.jar", "service-platform-0.1.0-SNAPSHOT.jar");
        SharedBaseArchive.ClassPath learner = service("learner", libraries, classes);
        SharedBaseArchive.ClassPath referral = service("referral", libraries, classes);
        assertThat(SharedBaseArchive.candidates(List.of(learner, referral)))
                .extracting(jar -> jar.getFileName().toString())
                .containsExactly("spring.jar", "service-platform-0.1.0-SNAPSHOT.jar");

        // An edit of the module: same size, same time, another content.
        Path edited = referral.libraries().get(1);
        byte[] bytes = Files.readAllBytes(edited);
        bytes[bytes.length / 2] ^= 1;
        Files.write(edited, bytes);
        Files.setLastModifiedTime(edited, BUILT);

        assertThat(SharedBaseArchive.candidates(List.of(learner, referral)))
                .extracting(jar -> jar.getFileName().toString()).containsExactly("spring.jar");
    }

    @Test
    void leavesOutALibraryWhoseResourceWouldHideTheServicesOwn() throws IOException {
        // The services' own application.yml came first, from their jar; a library with one would now come first.
        Map<String, String> classes = Map.of("spring.jar", "a/Spring", "odd.jar", "a/Odd,application.yml");
        List<String> libraries = List.of("spring.jar", "odd.jar");
        List<SharedBaseArchive.ClassPath> members = List.of(service("learner", libraries, classes),
                service("referral", libraries, classes));

        assertThat(SharedBaseArchive.shareable(SharedBaseArchive.candidates(members), members))
                .extracting(jar -> jar.getFileName().toString()).containsExactly("spring.jar");
    }

    @Test
    void runsTheServicesOwnClassesFromACopyOfItsJarThatNamesNoLibraries() throws IOException {
        SharedBaseArchive.ClassPath learner = service("learner", List.of("a.jar"), Map.of("a.jar", "p/A"));

        SharedBaseArchive.ClassPath copied = learner.withoutManifestClassPath(dir.resolve("learner/classes-only.jar"));

        try (JarFile jar = new JarFile(copied.appJar().toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH)).isNull();
            assertThat(jar.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS))
                    .isEqualTo("org.pathways.learner.Main");
            assertThat(jar.stream().map(JarEntry::getName)).contains("org/pathways/learner/Main.class",
                    "application.yml");
        }
        assertThat(copied.libraries()).isEqualTo(learner.libraries());
        assertThat(copied.mainClass()).isEqualTo(learner.mainClass());
    }

    @Test
    void dropsTheLambdasOfTheClassesTheJvmLeftOutAsUnverifiableAndKeepsEveryOtherLine() {
        List<String> dumpLog = List.of(
                "[18.622s][warning][cds] Skipping org/example/Unverifiable: Failed verification",
                "[18.623s][warning][cds] Preload Warning: Cannot find org/example/Elsewhere");
        byte[] list = String.join("\n", "# a comment", "java/lang/Object", "org/example/Unverifiable",
                "org/example/Fine",
                "@lambda-proxy org/example/Unverifiable run ()Ljava/lang/Runnable; ()V REF_invokeStatic "
                        + "org/example/Unverifiable lambda$0 ()V ()V",
                "@lambda-proxy org/example/Fine run ()Ljava/lang/Runnable; ()V REF_invokeStatic org/example/Fine "
                        + "lambda$0 ()V ()V")
                .getBytes(StandardCharsets.UTF_8);

        Set<String> leftOut = SharedBaseArchive.leftOutUnverified(dumpLog);

        assertThat(leftOut).containsExactly("org/example/Unverifiable");
        assertThat(new String(SharedBaseArchive.withoutLambdaProxiesOf(list, leftOut), StandardCharsets.UTF_8))
                .isEqualTo("# a comment\njava/lang/Object\norg/example/Unverifiable\norg/example/Fine\n"
                        + "@lambda-proxy org/example/Fine run ()Ljava/lang/Runnable; ()V REF_invokeStatic "
                        + "org/example/Fine lambda$0 ()V ()V\n");
    }

    @Test
    void readsTheMainClassAndTheLibrariesFromTheExtractedJarsManifest() throws IOException {
        SharedBaseArchive.ClassPath learner = service("learner", List.of("a.jar", "b.jar"),
                Map.of("a.jar", "p/A", "b.jar", "p/B"));

        SharedBaseArchive.ClassPath read = SharedBaseArchive.ClassPath.of(learner.appJar());

        assertThat(read.mainClass()).isEqualTo("org.pathways.learner.Main");
        assertThat(read.libraries()).containsExactlyElementsOf(learner.libraries());
    }

    private SharedBaseArchive.ClassPath service(String name, List<String> libraries, Map<String, String> classes)
            throws IOException {
        return service(name, libraries, classes, "application.yml");
    }

    /**
     * An extracted service as Spring Boot's extract tool leaves it: app/<name>.jar naming lib/*.jar in order. Each
     * jar's entries are given comma-separated; a name without an extension is a class.
     */
    private SharedBaseArchive.ClassPath service(String name, List<String> libraries, Map<String, String> classes,
            String appEntries) throws IOException {
        Path app = Files.createDirectories(dir.resolve(name).resolve("app"));
        Path lib = Files.createDirectories(app.resolve("lib"));
        for (String library : libraries) {
            jar(lib.resolve(library), null, classes.get(library).split(","));
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "org.pathways." + name + ".Main");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH,
                String.join(" ", libraries.stream().map(library -> "lib/" + library).toList()));
        Path appJar = app.resolve(name + ".jar");
        jar(appJar, manifest, ("org/pathways/" + name + "/Main," + appEntries).split(","));
        return new SharedBaseArchive.ClassPath(appJar, "org.pathways." + name + ".Main",
                libraries.stream().map(lib::resolve).toList());
    }

    /** A jar of these entries (their bytes name the jar, so two jars' copies differ), built at a fixed time. */
    private static void jar(Path path, Manifest manifest, String... entries) throws IOException {
        try (OutputStream file = Files.newOutputStream(path);
                JarOutputStream jar = manifest == null ? new JarOutputStream(file) : new JarOutputStream(file,
                        manifest)) {
            for (String name : entries) {
                JarEntry entry = new JarEntry(name.contains(".") ? name : name + ".class");
                entry.setTime(BUILT.toMillis());
                jar.putNextEntry(entry);
                jar.write(path.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        Files.setLastModifiedTime(path, BUILT);
    }
}
