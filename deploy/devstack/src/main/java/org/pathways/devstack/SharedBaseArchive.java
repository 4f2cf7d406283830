package org.pathways.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * One class-data sharing base archive for the libraries the five back-end services all run on (Spring, Spring Cloud
 * Stream, Kafka's and MongoDB's clients, Jackson, Micrometer, Tomcat: about 150 jars), made once per data directory
 * from a class list this jar carries, so that even the first start of a fresh directory maps those classes instead of
 * loading, verifying and linking them five times over. Each service's own archive (its classes and whatever the list
 * missed) is then a dynamic archive on top of this base, written when the service stops ({@link ServiceLaunch}).
 *
 * <p>The JVM maps a base archive only into a process whose class path starts with the jars it was made from, in the
 * same order; so the shared jars are kept once, in the archive's own directory, and each member's class path is
 * those jars, then its own jar, then its other libraries. A shared jar is one every member has, the same file (name,
 * size and time) in each, unless moving it to the front would change where some member loads a class from (a class
 * two jars hold comes from the first of them).
 *
 * <p>The class list ({@value #CLASS_LIST}, compressed) is what the back-end services loaded by the time they were ready, recorded
 * with {@code deploy/devstack/classlist}. It only needs to be close: a class it names that is not in the shared jars
 * is skipped when the archive is made, and a class it misses is loaded as before (and goes into the service's own
 * archive). The archive's directory is named after a digest of the shared jars, the list and the JVM, so a rebuild
 * that changes any of them makes a new one, and the services' own archives on top of the old one are left unused.
 */
final class SharedBaseArchive {

    /** The classes the back-end services load up to ready, one per line, as the JDK's class lists are written. */
    static final String CLASS_LIST = "back-end.classlist.gz";
    private static final Duration DUMP_DEADLINE = Duration.ofMinutes(3);
    private static final String ARCHIVE = "base.jsa";
    private static final String JARS = "jars";
    private static final String COMPLETE = "complete";

    /** A service's class path as its extracted jar declares it: the jar itself, then its libraries in order. */
    record ClassPath(Path appJar, String mainClass, List<Path> libraries) {

        static ClassPath of(Path appJar) throws IOException {
            try (JarFile jar = new JarFile(appJar.toFile())) {
                Attributes attributes = jar.getManifest().getMainAttributes();
                String mainClass = attributes.getValue(Attributes.Name.MAIN_CLASS);
                String classPath = attributes.getValue(Attributes.Name.CLASS_PATH);
                if (mainClass == null || classPath == null) {
                    throw new IOException(appJar + " names no main class or class path");
                }
                List<Path> libraries = Stream.of(classPath.strip().split("\\s+"))
                        .map(entry -> appJar.resolveSibling(entry).normalize()).toList();
                return new ClassPath(appJar, mainClass, libraries);
            }
        }

        /** The jar itself, then its libraries: the order its manifest gives, which {@code java -jar} follows. */
        List<Path> originalOrder() {
            List<Path> order = new ArrayList<>();
            order.add(appJar);
            order.addAll(libraries);
            return order;
        }

        /** This member's own copy of a jar of that name (a shared jar is another member's file of the same name). */
        Path sameFileIn(Path jar) {
            return jar.equals(appJar) ? appJar : appJar.resolveSibling("lib").resolve(jar.getFileName());
        }
    }

    /** A base archive ready to map, and the jars (in order) every class path that maps it starts with. */
    record Base(Path archive, List<Path> jars, String key) {

        /** The class path of a member: the shared jars, then its own jar, then its libraries that are not shared. */
        List<Path> classPathOf(ClassPath service) {
            Set<String> shared = new HashSet<>();
            jars.forEach(jar -> shared.add(jar.getFileName().toString()));
            List<Path> classPath = new ArrayList<>(jars);
            classPath.add(service.appJar());
            service.libraries().stream().filter(library -> !shared.contains(library.getFileName().toString()))
                    .forEach(classPath::add);
            return classPath;
        }
    }

    private final Path dir;
    private final PrintStream console;

    /** Keeps its archives under {@code dir} (the data directory's {@code cds/shared}). */
    SharedBaseArchive(Path dir, PrintStream console) {
        this.dir = dir;
        this.console = console;
    }

    /**
     * The base archive for {@code members}, made first if this data directory has none for them yet; null when it
     * cannot be had (no class list, nothing shared, the JVM refused): the services then start as before.
     */
    Base prepare(List<ClassPath> members, List<String> jvmOptions) throws InterruptedException {
        try (InputStream list = SharedBaseArchive.class.getResourceAsStream(CLASS_LIST)) {
            if (list == null || members.isEmpty()) {
                return null;
            }
            byte[] classList;
            try (InputStream text = new GZIPInputStream(list)) {
                classList = text.readAllBytes();
            }
            List<Path> candidates = candidates(members);
            if (candidates.isEmpty()) {
                return null;
            }
            String key = key(candidates, classList, jvmOptions);
            Path archiveDir = dir.resolve(key);
            if (Files.isRegularFile(archiveDir.resolve(COMPLETE))) {
                List<Path> jars = Files.readAllLines(archiveDir.resolve(JARS)).stream()
                        .map(name -> archiveDir.resolve("lib").resolve(name)).toList();
                return new Base(archiveDir.resolve(ARCHIVE), jars, key);
            }
            return make(archiveDir, key, shareable(candidates, members), classList, jvmOptions);
        } catch (IOException e) {
            console.println(ChildProcess.prefix("devstack") + "could not prepare the back end's shared class-data "
                    + "archive (" + e.getMessage() + "); each service loads its classes itself");
            return null;
        }
    }

    /** The first member's libraries that every other member has too, as the same file; in the first's order. */
    static List<Path> candidates(List<ClassPath> members) throws IOException {
        List<Map<String, String>> identities = new ArrayList<>();
        for (ClassPath member : members) {
            Map<String, String> byName = new HashMap<>();
            for (Path library : member.libraries()) {
                byName.put(library.getFileName().toString(), identity(library));
            }
            identities.add(byName);
        }
        List<Path> candidates = new ArrayList<>();
        for (Path library : members.getFirst().libraries()) {
            String name = library.getFileName().toString();
            String identity = identities.getFirst().get(name);
            if (identities.stream().allMatch(other -> identity.equals(other.get(name)))) {
                candidates.add(library);
            }
        }
        return candidates;
    }

    /**
     * The candidates that can move to the front of every member's class path without changing where any member
     * loads any class from: a class two jars hold is loaded from the first, so a candidate that would come before a
     * jar that used to win is left out (and the check repeated, as leaving one out moves the others).
     */
    static List<Path> shareable(List<Path> candidates, List<ClassPath> members) throws IOException {
        Map<Path, Collection<String>> classes = new HashMap<>();
        for (ClassPath member : members) {
            for (Path jar : member.originalOrder()) {
                classes.put(jar, classesIn(jar));
            }
        }
        List<Path> shared = new ArrayList<>(candidates);
        while (true) {
            Set<String> moved = new HashSet<>();
            Base trial = new Base(null, shared, "");
            for (ClassPath member : members) {
                Map<String, Path> before = firstHolders(member.originalOrder(), classes);
                Map<String, Path> after = firstHolders(trial.classPathOf(member).stream()
                        .map(jar -> member.sameFileIn(jar)).toList(), classes);
                before.forEach((type, holder) -> {
                    Path now = after.get(type);
                    if (!holder.equals(now)) {
                        moved.add(now.getFileName().toString());
                    }
                });
            }
            if (moved.isEmpty()) {
                return List.copyOf(shared);
            }
            shared.removeIf(jar -> moved.contains(jar.getFileName().toString()));
        }
    }

    private static Map<String, Path> firstHolders(List<Path> order, Map<Path, Collection<String>> classes) {
        Map<String, Path> holders = new HashMap<>();
        for (Path jar : order) {
            for (String type : classes.get(jar)) {
                holders.putIfAbsent(type, jar);
            }
        }
        return holders;
    }

    private static Collection<String> classesIn(Path jar) throws IOException {
        Set<String> classes = new LinkedHashSet<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream().map(ZipEntry::getName)
                    .filter(name -> name.endsWith(".class") && !name.startsWith("META-INF/")
                            && !name.endsWith("module-info.class"))
                    .forEach(classes::add);
        }
        return classes;
    }

    private Base make(Path archiveDir, String key, List<Path> jars, byte[] classList, List<String> jvmOptions)
            throws IOException, InterruptedException {
        // One base per data directory: older ones (an earlier build's) are removed with what was built on them.
        ServiceLaunch.deleteRecursively(dir);
        Path lib = Files.createDirectories(archiveDir.resolve("lib"));
        List<Path> shared = new ArrayList<>();
        for (Path jar : jars) {
            Path link = lib.resolve(jar.getFileName());
            try {
                Files.createLink(link, jar);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(jar, link, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
            shared.add(link);
        }
        Files.write(archiveDir.resolve("classlist"), classList);
        List<String> dump = new ArrayList<>();
        dump.add(JavaRuntime.javaExecutable());
        dump.addAll(jvmOptions);
        dump.addAll(List.of("-Xshare:dump", "-XX:SharedClassListFile=" + archiveDir.resolve("classlist"),
                "-XX:SharedArchiveFile=" + archiveDir.resolve(ARCHIVE), "-cp",
                String.join(java.io.File.pathSeparator, shared.stream().map(Path::toString).toList())));
        // The JVM notes each class of the list it skips (not in these jars, or one it cannot archive): in the log.
        long started = System.nanoTime();
        ChildProcess tool = ChildProcess.start("cds", dump, Map.of(), archiveDir.resolve("dump.log"), console,
                ConsoleFilter.errorsOnly());
        int exitCode = tool.awaitExit(DUMP_DEADLINE);
        if (exitCode != 0 || !Files.isRegularFile(archiveDir.resolve(ARCHIVE))) {
            console.println(ChildProcess.prefix("devstack") + "could not make the back end's shared class-data "
                    + "archive (see " + archiveDir.resolve("dump.log") + "); each service loads its classes itself");
            return null;
        }
        Files.write(archiveDir.resolve(JARS), shared.stream().map(jar -> jar.getFileName().toString()).toList());
        Files.writeString(archiveDir.resolve(COMPLETE), key);
        console.printf("%sshared the back end's library classes (%d jars) in %.1f s, once for this data directory%n",
                ChildProcess.prefix("devstack"), shared.size(), (System.nanoTime() - started) / 1e9);
        return new Base(archiveDir.resolve(ARCHIVE), List.copyOf(shared), key);
    }

    private static String identity(Path jar) throws IOException {
        return Files.size(jar) + "@" + Files.getLastModifiedTime(jar).toMillis();
    }

    /** Names the archive after everything that would make a different one: the jars, the list and the JVM. */
    private static String key(List<Path> candidates, byte[] classList, List<String> jvmOptions) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path candidate : candidates) {
                digest.update((candidate.getFileName() + " " + identity(candidate) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            digest.update(classList);
            digest.update((JavaRuntime.javaExecutable() + " " + Runtime.version() + " " + jvmOptions)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
