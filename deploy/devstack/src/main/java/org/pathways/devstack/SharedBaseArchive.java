package org.pathways.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
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
 * size and time, and for this project's own modules the same content) in each, and not one that, moved to the
 * front, would change where some member loads a class or resource from (the first jar holding it wins).
 *
 * <p>The class list ({@value #CLASS_LIST}, compressed) is what the back-end services loaded by the time they were ready, recorded
 * with {@code deploy/devstack/classlist}. It only needs to be close: a class it names that is not in the shared jars
 * is skipped when the archive is made, and a class it misses is loaded as before (and goes into the service's own
 * archive). The archive's directory is named after a digest of the shared jars, the list and the JVM, so a change of
 * any of them makes a new one; the old one, and the services' own archives on top of it, are removed.
 */
final class SharedBaseArchive {

    /** The classes the back-end services load up to ready, one per line, as the JDK's class lists are written. */
    static final String CLASS_LIST = "back-end.classlist.gz";
    private static final Duration DUMP_DEADLINE = Duration.ofMinutes(3);
    private static final String ARCHIVE = "base.jsa";
    private static final String JARS = "jars";
    private static final String COMPLETE = "complete";
    /** Marks a base the JVM could not make, so that later starts do not wait for it again. */
    private static final String FAILED = "failed";

    /** A service's class path as its extracted jar declares it: the jar itself, then its libraries in order. */
    record ClassPath(Path appJar, String mainClass, List<Path> libraries) {

        static ClassPath of(Path appJar) throws IOException {
            try (JarFile jar = new JarFile(appJar.toFile())) {
                if (jar.getManifest() == null) {
                    throw new IOException(appJar + " has no manifest");
                }
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
            return libraries.stream().filter(library -> library.getFileName().equals(jar.getFileName())).findFirst()
                    .orElse(jar);
        }

        /**
         * The same, with a copy of the jar at {@code copy} that names no libraries: on a class path given with
         * {@code -cp}, the JVM would still follow the jar's {@code Class-Path} and add every library a second time
         * (each shared jar twice, every class not found looked for in all of them twice). Written once.
         */
        ClassPath withoutManifestClassPath(Path copy) throws IOException {
            if (!Files.isRegularFile(copy)) {
                Path partial = copy.resolveSibling(copy.getFileName() + ".partial");
                try (JarFile jar = new JarFile(appJar.toFile());
                        OutputStream file = Files.newOutputStream(partial)) {
                    Manifest manifest = new Manifest(jar.getManifest());
                    manifest.getMainAttributes().remove(Attributes.Name.CLASS_PATH);
                    try (JarOutputStream out = new JarOutputStream(file, manifest)) {
                        for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                            if (entry.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
                                continue;
                            }
                            JarEntry copied = new JarEntry(entry.getName());
                            copied.setTime(entry.getTime());
                            out.putNextEntry(copied);
                            try (InputStream in = jar.getInputStream(entry)) {
                                in.transferTo(out);
                            }
                            out.closeEntry();
                        }
                    }
                }
                Files.move(partial, copy, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return new ClassPath(copy, mainClass, libraries);
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
    private final Path builtAhead;
    private final PrintStream console;

    /**
     * Keeps its archives under {@code dir} (the data directory's {@code cds/shared}); takes the one the build made
     * under {@code builtAhead} (if not null) when it is for the same jars, list and JVM.
     */
    SharedBaseArchive(Path dir, Path builtAhead, PrintStream console) {
        this.dir = dir;
        this.builtAhead = builtAhead;
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
            if (Files.isRegularFile(archiveDir.resolve(FAILED))) {
                console.println(ChildProcess.prefix("devstack") + "the back end's shared class-data archive could not "
                        + "be made (see the end of " + archiveDir.resolve("dump.log") + "; delete " + archiveDir
                        + " to try again); each service loads its classes itself");
                return null;
            }
            if (Files.isRegularFile(archiveDir.resolve(COMPLETE)) || takeBuiltAhead(archiveDir, key)) {
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

    /**
     * What a class loader may find in {@code jar} first or second: its classes and resources. Not {@code META-INF}
     * (manifests, licences, Maven's files, and the service and Spring factory declarations that are read from every
     * jar that has them), nor {@code module-info} (not read on a class path).
     */
    private static Collection<String> classesIn(Path jar) throws IOException {
        Set<String> entries = new LinkedHashSet<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream().filter(entry -> !entry.isDirectory()).map(ZipEntry::getName)
                    .filter(name -> !name.startsWith("META-INF/"))
                    .filter(name -> !name.endsWith("module-info.class"))
                    .forEach(entries::add);
        }
        return entries;
    }

    /**
     * Whether the build made this very base; if so, it is now this data directory's too (its jars at another path:
     * the JVM maps a base whose jars moved together, keeping their names, order, sizes and times).
     */
    private boolean takeBuiltAhead(Path archiveDir, String key) throws IOException {
        if (builtAhead == null || !Files.isRegularFile(builtAhead.resolve(key).resolve(COMPLETE))) {
            return false;
        }
        // One base per data directory, as when it is made here; whole or not at all (the name comes last).
        ServiceLaunch.deleteRecursively(dir);
        Path partial = dir.resolve(key + ".partial");
        try {
            ServiceLaunch.linkTree(builtAhead.resolve(key), partial, file -> true);
            // A build that removed it meanwhile (its jars go first) left a part of it: made here instead.
            if (!whole(partial)) {
                ServiceLaunch.deleteRecursively(dir);
                return false;
            }
            Files.move(partial, archiveDir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            // A build replacing it at the same time: made here instead.
            ServiceLaunch.deleteRecursively(dir);
            return false;
        }
    }

    /** Whether {@code archiveDir} has the archive, its marks and every jar its list names. */
    private static boolean whole(Path archiveDir) throws IOException {
        if (!Files.isRegularFile(archiveDir.resolve(ARCHIVE)) || !Files.isRegularFile(archiveDir.resolve(COMPLETE))
                || !Files.isRegularFile(archiveDir.resolve(JARS))) {
            return false;
        }
        return Files.readAllLines(archiveDir.resolve(JARS)).stream()
                .allMatch(name -> Files.isRegularFile(archiveDir.resolve("lib").resolve(name)));
    }

    private Base make(Path archiveDir, String key, List<Path> jars, byte[] classList, List<String> jvmOptions)
            throws IOException, InterruptedException {
        // One base per data directory: older ones (an earlier build's) are removed with what was built on them.
        ServiceLaunch.deleteRecursively(dir);
        Path lib = Files.createDirectories(archiveDir.resolve("lib"));
        List<Path> shared = new ArrayList<>();
        for (Path jar : jars) {
            Path link = lib.resolve(jar.getFileName());
            ServiceLaunch.linkOrCopy(jar, link);
            shared.add(link);
        }
        long started = System.nanoTime();
        int exitCode = dump(archiveDir, shared, classList, jvmOptions);
        if (exitCode == 0) {
            byte[] cleaned = withoutLambdaProxiesOf(classList,
                    leftOutUnverified(Files.readAllLines(archiveDir.resolve("dump.log"))));
            if (cleaned.length != classList.length) {
                console.println(ChildProcess.prefix("devstack") + "the class list names lambdas of classes the "
                        + "shared archive cannot hold (deploy/devstack/classlist records it again); making it without "
                        + "them");
                Files.move(archiveDir.resolve("dump.log"), archiveDir.resolve("dump-1.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                exitCode = dump(archiveDir, shared, cleaned, jvmOptions);
            }
        }
        if (exitCode != 0 || !Files.isRegularFile(archiveDir.resolve(ARCHIVE))) {
            Files.writeString(archiveDir.resolve(FAILED), "exit code " + exitCode);
            Files.deleteIfExists(archiveDir.resolve(ARCHIVE));
            console.println(ChildProcess.prefix("devstack") + "could not make the back end's shared class-data "
                    + "archive (see the end of " + archiveDir.resolve("dump.log") + "); each service loads its "
                    + "classes itself");
            return null;
        }
        Files.write(archiveDir.resolve(JARS), shared.stream().map(jar -> jar.getFileName().toString()).toList());
        Files.writeString(archiveDir.resolve(COMPLETE), key);
        console.printf("%sshared the back end's library classes (%d jars) in %.1f s, once for these jars%n",
                ChildProcess.prefix("devstack"), shared.size(), (System.nanoTime() - started) / 1e9);
        return new Base(archiveDir.resolve(ARCHIVE), List.copyOf(shared), key);
    }

    /** Runs the JVM that makes the archive from {@code classList}; its exit code. */
    private int dump(Path archiveDir, List<Path> shared, byte[] classList, List<String> jvmOptions)
            throws IOException, InterruptedException {
        Files.write(archiveDir.resolve("classlist"), classList);
        Files.deleteIfExists(archiveDir.resolve(ARCHIVE));
        List<String> dump = new ArrayList<>();
        dump.add(JavaRuntime.javaExecutable());
        dump.addAll(jvmOptions);
        dump.addAll(List.of("-Xshare:dump", "-XX:SharedClassListFile=" + archiveDir.resolve("classlist"),
                "-XX:SharedArchiveFile=" + archiveDir.resolve(ARCHIVE), "-cp",
                String.join(java.io.File.pathSeparator, shared.stream().map(Path::toString).toList())));
        // The JVM notes each class of the list it skips (not in these jars, or one it cannot archive): in the log.
        ChildProcess tool = ChildProcess.start("cds", dump, Map.of(), archiveDir.resolve("dump.log"), console,
                ConsoleFilter.errorsOnly());
        return tool.awaitExit(DUMP_DEADLINE);
    }

    /**
     * The classes the JVM left out of the archive as they failed verification there (they refer to a class outside
     * the shared jars), as its log of the dump names them.
     */
    static Set<String> leftOutUnverified(List<String> dumpLog) {
        Set<String> classes = new HashSet<>();
        java.util.regex.Pattern skipped = java.util.regex.Pattern.compile("Skipping (\\S+): Failed verification");
        for (String line : dumpLog) {
            java.util.regex.Matcher matcher = skipped.matcher(line);
            if (matcher.find()) {
                classes.add(matcher.group(1));
            }
        }
        return classes;
    }

    /**
     * The list without the lambda proxies of {@code hosts}: the JVM archives a class's lambdas even when it leaves the
     * class itself out, and a service then fails with an {@code IllegalAccessError} between the class it loads and
     * the archived lambda, once that lambda runs. (Every other lambda stays: with none in the base, the JVM crashed
     * while recording a service's own archive on top of it.)
     */
    static byte[] withoutLambdaProxiesOf(byte[] classList, Set<String> hosts) {
        String text = new String(classList, StandardCharsets.UTF_8);
        return text.lines().filter(line -> !line.startsWith("@lambda-proxy ")
                || !hosts.contains(line.substring("@lambda-proxy ".length()).split(" ", 2)[0]))
                .collect(java.util.stream.Collectors.joining("\n", "", "\n")).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What makes two jars of one name the same file: their size and time, and for this project's own modules (which
     * change with every edit and may keep both, as Spring Boot stamps a library with its newest entry's time) their
     * content too.
     */
    private static String identity(Path jar) throws IOException {
        String identity = Files.size(jar) + "@" + Files.getLastModifiedTime(jar).toMillis();
        if (!jar.getFileName().toString().contains("-SNAPSHOT")) {
            return identity;
        }
        try {
            return identity + "#" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(jar)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
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
