package org.pathways.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * How a service's JVM is launched: from its Spring Boot jar extracted once into {@code <data>/cds/<service>} (Spring
 * Boot's {@code jarmode=tools extract}), with a class-data sharing archive next to it that the JVM writes when the
 * service stops and maps on every later start. Class loading is most of a Spring Boot service's start-up on a small
 * machine, and CDS only works for classes loaded from plain jars on the class path, not from the jars nested inside a
 * Boot jar, hence the extraction. A rebuilt jar is extracted again and its archive made again.
 *
 * <p>The issuer, the gateway and the web app keep one archive each ({@code classes.jsa}, recreated by the JVM itself
 * when their class path changes: {@code -XX:+AutoCreateSharedArchive}); the first start pays for loading and records.
 * The five back-end services run on one {@link SharedBaseArchive shared base archive} of the libraries they have in
 * common, made before they launch, so that a first start maps most of their classes too; each keeps its own classes
 * in a dynamic archive on that base ({@code top-<base>.jsa}). If anything of this fails, the service starts as before:
 * CDS is an optimisation, never a reason not to start.
 *
 * <p>The build does a first start's share of this ahead ({@link BuildTimeArchives}, in {@code package}): it extracts
 * every jar and makes the shared base into {@code deploy/devstack/target/cds}. A data directory without its own copy
 * takes the build's, as hard links (or copies that keep each file's time, on another file system), so that a first
 * start maps the back end's libraries at once instead of waiting for the base; the JVM maps a base whose jars moved,
 * as long as they keep their names, order, sizes and times.
 */
final class ServiceLaunch {

    /**
     * The same small, quick-starting JVM for every service: eight JVMs must fit on a laptop next to an IDE. A service
     * that runs out of heap exits (the devstack says so, naming its log) rather than going on half-working: a thread
     * that died of it (a consumer's, a scheduler's) would otherwise leave the service answering its health checks while
     * its work has stopped.
     */
    static final List<String> JVM_OPTIONS = java.util.stream.Stream.of(List.of("-Xmx256m"), JavaRuntime.LEAN_JVM,
            List.of("-XX:+ExitOnOutOfMemoryError"),
            // Lucene (the catalogue's search index) maps its files with the foreign-memory API; JDK 24+ warns
            // about that on every start unless it is allowed.
            List.of("--enable-native-access=ALL-UNNAMED")).flatMap(List::stream).toList();
    /**
     * Options added to every service's JVM, split at white space: to profile or try a setting on the devstack as it
     * runs (e.g. {@code -XX:StartFlightRecording=filename=/tmp/{service}.jfr}), without a build. {@code {service}}
     * stands for the service's name.
     */
    static final String EXTRA_OPTIONS = "DEVSTACK_SERVICE_JVM_OPTIONS";
    private static final Duration EXTRACT_DEADLINE = Duration.ofMinutes(3);
    private static final String ARCHIVE = "classes.jsa";
    private static final String EXTRACTED_FROM = "extracted-from";
    private static final String CLASSES_ONLY = "classes-only.jar";

    private final Path repositoryRoot;
    private final Path cdsDir;
    private final Path logsDir;
    /** What the build extracted and made ahead ({@link #builtAhead}), or null for the build's own run. */
    private final Path builtAhead;
    private final PrintStream console;
    private final Map<PlatformService, CompletableFuture<Path>> preparations = new ConcurrentHashMap<>();
    private CompletableFuture<SharedBaseArchive.Base> base;

    ServiceLaunch(Path repositoryRoot, Path dataDir, PrintStream console) {
        this(repositoryRoot, dataDir.resolve("cds"), dataDir.resolve("logs"), builtAhead(repositoryRoot), console);
    }

    /** Keeps extractions and archives under {@code cdsDir}, taking what {@code builtAhead} holds (if not null). */
    ServiceLaunch(Path repositoryRoot, Path cdsDir, Path logsDir, Path builtAhead, PrintStream console) {
        this.repositoryRoot = repositoryRoot;
        this.cdsDir = cdsDir;
        this.logsDir = logsDir;
        this.builtAhead = builtAhead;
        this.console = console;
    }

    /** Where the build leaves the extracted jars and the shared base for first starts to take. */
    static Path builtAhead(Path repositoryRoot) {
        return repositoryRoot.resolve("deploy").resolve("devstack").resolve("target").resolve("cds");
    }

    /**
     * Everything of a first start that needs only the jars, done now and waited for: each jar extracted, each
     * back-end service's copy of its jar without {@code Class-Path}, and the shared base. The shared base, or null if
     * it could not be made (said on the console).
     */
    SharedBaseArchive.Base prepareAhead(List<PlatformService> services) throws InterruptedException, IOException {
        prepare(services);
        for (PlatformService service : services) {
            Path extracted = extractedJar(service);
            if (extracted != null && isBackEnd(service)) {
                SharedBaseArchive.ClassPath.of(extracted)
                        .withoutManifestClassPath(cdsDir.resolve(service.name()).resolve(CLASSES_ONLY));
            }
        }
        return services.stream().anyMatch(ServiceLaunch::isBackEnd) ? sharedBase() : null;
    }

    /**
     * Extracts the jars that need it side by side, in the background, so that the first start does it while Kafka
     * boots rather than in front of each service.
     */
    void prepare(List<PlatformService> services) {
        extract(services);
        // Made even when sharing is off by hand: deploy/devstack/classlist tries its new list on those jars.
        if (services.stream().anyMatch(ServiceLaunch::isBackEnd)) {
            base();
        }
    }

    /** Whether sharing was turned off by hand (as deploy/devstack/classlist does, to list every class loaded). */
    private static boolean sharingOff() {
        return extraJvmOptions(System.getenv(EXTRA_OPTIONS), "").contains("-Xshare:off");
    }

    private void extract(List<PlatformService> services) {
        for (PlatformService service : services) {
            preparations.computeIfAbsent(service, s -> {
                CompletableFuture<Path> extracted = new CompletableFuture<>();
                Thread.ofVirtual().name("extract-" + s.name()).start(() -> {
                    try {
                        extracted.complete(extracted(s, s.execJar(repositoryRoot)));
                    } catch (InterruptedException e) {
                        extracted.complete(null);
                    } catch (RuntimeException | Error e) {
                        // Never left incomplete: the launch, and the shared archive, wait for it.
                        console.println(ChildProcess.prefix("devstack") + "could not extract " + s.name() + " ("
                                + e + "); starting it from its jar");
                        extracted.complete(null);
                    }
                });
                return extracted;
            });
        }
    }

    /** The command line that starts {@code service}, extracting its jar first if that is due. */
    List<String> command(PlatformService service) throws InterruptedException {
        Path jar = service.execJar(repositoryRoot);
        List<String> command = new ArrayList<>();
        command.add(JavaRuntime.javaExecutable());
        command.addAll(JVM_OPTIONS);
        // A JVM that crashes writes its report beside the service's log, not into the directory it was started from
        // (the repository, where `git add` would take it).
        command.add("-XX:ErrorFile=" + logsDir.resolve(service.name() + "-crash-%p.log"));
        command.addAll(extraJvmOptions(System.getenv(EXTRA_OPTIONS), service.name()));
        extract(List.of(service));
        Path extracted = extractedJar(service);
        if (extracted == null) {
            command.add("-jar");
            command.add(jar.toString());
            return command;
        }
        // Sharing turned off by hand (as deploy/devstack/classlist does, to list every class a service loads: from
        // the extracted jar, as the JVM's class loader, not Spring Boot's, loads them there).
        if (sharingOff()) {
            command.add("-jar");
            command.add(extracted.toString());
            return command;
        }
        // The JVM says so when it recreates an archive (a rebuilt jar); that is expected, not a warning for people.
        List<String> quiet = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
        SharedBaseArchive.Base base = isBackEnd(service) ? sharedBase() : null;
        if (base != null) {
            try {
                SharedBaseArchive.ClassPath own = SharedBaseArchive.ClassPath.of(extracted);
                List<Path> classPath = base.classPathOf(own.withoutManifestClassPath(
                        cdsDir.resolve(service.name()).resolve(CLASSES_ONLY)));
                command.addAll(topArchiveOptions(service, base, classPath));
                command.addAll(quiet);
                command.add("-cp");
                command.add(String.join(java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList()));
                command.add(own.mainClass());
                return command;
            } catch (IOException | java.io.UncheckedIOException e) {
                console.println(ChildProcess.prefix("devstack") + "could not prepare " + service.name()
                        + "'s class-data archive on the shared one (" + e.getMessage() + "); starting it with its own");
            }
        }
        command.add("-XX:SharedArchiveFile=" + extracted.getParent().resolveSibling(ARCHIVE));
        command.add("-XX:+AutoCreateSharedArchive");
        command.addAll(quiet);
        command.add("-jar");
        command.add(extracted.toString());
        return command;
    }

    /**
     * The service's own archive on top of the shared base: mapped when it was written on the same base and the JVM
     * accepts it (checked once, as a torn or stale file would otherwise be ignored for good), else written anew when
     * the service stops. The JVM's {@code AutoCreateSharedArchive} cannot do this on a base of our own.
     */
    private List<String> topArchiveOptions(PlatformService service, SharedBaseArchive.Base base, List<Path> classPath)
            throws IOException {
        Path serviceDir = cdsDir.resolve(service.name());
        // The archive of a start before the shared one existed (an older devstack's) is of no use any more.
        Files.deleteIfExists(serviceDir.resolve(ARCHIVE));
        Path top = serviceDir.resolve("top-" + base.key() + ".jsa");
        Path accepted = serviceDir.resolve("top-" + base.key() + ".accepted");
        String both = base.archive() + java.io.File.pathSeparator + top;
        if (Files.isRegularFile(top) && !Files.isRegularFile(accepted)) {
            if (mapsCleanly(both, classPath, serviceDir.resolve("top-check.log"))) {
                Files.writeString(accepted, "");
            } else {
                Files.delete(top);
            }
        }
        if (Files.isRegularFile(top)) {
            return List.of("-XX:SharedArchiveFile=" + both);
        }
        // Archives on an earlier base cannot be mapped with this one.
        try (Stream<Path> files = Files.list(serviceDir)) {
            for (Path old : files.filter(file -> file.getFileName().toString().startsWith("top-")).toList()) {
                Files.delete(old);
            }
        }
        return List.of("-XX:SharedArchiveFile=" + base.archive(), "-XX:ArchiveClassesAtExit=" + top);
    }

    /** Whether a JVM with these archives and this class path maps them (the JVM checks both; a second or less). */
    private boolean mapsCleanly(String archives, List<Path> classPath, Path log) throws IOException {
        List<String> probe = new ArrayList<>();
        probe.add(JavaRuntime.javaExecutable());
        probe.addAll(JVM_OPTIONS);
        probe.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archives, "-cp",
                String.join(java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList()), "-version"));
        try {
            // Its refusal is the answer, not a problem to show: only in its log.
            return ChildProcess.start("cds", probe, Map.of(), log, console, ConsoleFilter.errorsOnly())
                    .awaitExit(Duration.ofSeconds(30)) == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean isBackEnd(PlatformService service) {
        return PlatformService.SCALABLE.stream().anyMatch(backEnd -> backEnd.module().equals(service.module()));
    }

    /**
     * The back end's shared base archive, made in the background once every back-end service's jar is extracted
     * (on a first start, while Kafka boots); completes with null when it cannot be had.
     */
    private synchronized CompletableFuture<SharedBaseArchive.Base> base() {
        if (base == null) {
            CompletableFuture<SharedBaseArchive.Base> result = new CompletableFuture<>();
            base = result;
            extract(PlatformService.SCALABLE);
            Thread.ofVirtual().name("cds-base").start(() -> {
                try {
                    List<SharedBaseArchive.ClassPath> members = new ArrayList<>();
                    for (PlatformService member : PlatformService.SCALABLE) {
                        Path extracted = extractedJar(member);
                        if (extracted == null) {
                            result.complete(null);
                            return;
                        }
                        members.add(SharedBaseArchive.ClassPath.of(extracted));
                    }
                    result.complete(new SharedBaseArchive(cdsDir.resolve("shared"),
                            builtAhead == null ? null : builtAhead.resolve("shared"), console)
                            .prepare(members, JVM_OPTIONS));
                } catch (InterruptedException e) {
                    result.complete(null);
                } catch (IOException | RuntimeException | Error e) {
                    // Said once here; every back-end service then starts with an archive of its own.
                    console.println(ChildProcess.prefix("devstack") + "could not prepare the back end's shared "
                            + "class-data archive (" + e + "); each service loads its classes itself");
                    result.complete(null);
                }
            });
        }
        return base;
    }

    private SharedBaseArchive.Base sharedBase() throws InterruptedException {
        try {
            return base().get();
        } catch (ExecutionException e) {
            return null; // never: the future is only ever completed normally
        }
    }

    private Path extractedJar(PlatformService service) throws InterruptedException {
        try {
            return preparations.get(service).get();
        } catch (ExecutionException e) {
            return null;
        }
    }

    static List<String> extraJvmOptions(String value, String serviceName) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Stream.of(value.strip().split("\\s+")).map(option -> option.replace("{service}", serviceName)).toList();
    }

    /** The extracted jar, up to date with {@code jar}, or null when it cannot be had. */
    private Path extracted(PlatformService service, Path jar) throws InterruptedException {
        // Called on one thread per service: the directories differ, so no two extractions touch the same files.
        Path dir = cdsDir.resolve(service.name());
        // The tool wants an empty destination of its own; the archive and the notes live beside it.
        Path extractedJar = dir.resolve("app").resolve(jar.getFileName());
        Path marker = dir.resolve(EXTRACTED_FROM);
        try {
            String source = extractedFrom(jar);
            if (Files.isRegularFile(extractedJar) && Files.isRegularFile(marker)
                    && Files.readString(marker).equals(source)) {
                return extractedJar;
            }
            deleteRecursively(dir);
            if (takeBuiltAhead(service, source)) {
                return extractedJar;
            }
            Files.createDirectories(dir);
            // A one-second copying job: the quick-starting JVM halves its CPU (eight of them run at once at first).
            List<String> extract = List.of(JavaRuntime.javaExecutable(), "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC", "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination",
                    extractedJar.getParent().toString());
            ChildProcess tool = ChildProcess.start(service.name(), extract, Map.of(), dir.resolve("extract.log"),
                    console, ConsoleFilter.problemsOnly());
            int exitCode = tool.awaitExit(EXTRACT_DEADLINE);
            if (exitCode != 0 || !Files.isRegularFile(extractedJar)) {
                console.println(ChildProcess.prefix("devstack") + "could not extract " + jar.getFileName()
                        + " for class-data sharing (see " + dir.resolve("extract.log") + "); starting it from the jar");
                return null;
            }
            Files.writeString(marker, source);
            return extractedJar;
        } catch (IOException e) {
            console.println(ChildProcess.prefix("devstack") + "could not prepare class-data sharing for "
                    + service.name() + " (" + e.getMessage() + "); starting it from the jar");
            return null;
        }
    }

    /** What an extraction's marker says of the jar it was made from: the path, its time and its size. */
    static String extractedFrom(Path jar) throws IOException {
        return jar.toAbsolutePath() + " " + Files.getLastModifiedTime(jar).toMillis() + " " + Files.size(jar);
    }

    /** Whether the build extracted this very jar; if so, its extraction is now this data directory's too. */
    private boolean takeBuiltAhead(PlatformService service, String source) throws IOException {
        if (builtAhead == null) {
            return false;
        }
        Path built = builtAhead.resolve(service.name());
        Path marker = built.resolve(EXTRACTED_FROM);
        try {
            if (!Files.isRegularFile(marker) || !Files.readString(marker).equals(source)) {
                return false;
            }
            Path dir = cdsDir.resolve(service.name());
            Object before = Files.readAttributes(marker, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            // The extraction and the copy of the jar without Class-Path; not a log, nor an archive of a service's run.
            Path app = built.resolve("app");
            linkTree(built, dir, file -> file.startsWith(app) || file.equals(built.resolve(CLASSES_ONLY)));
            // A build that deleted or replaced its extraction meanwhile (it removes the marker first) left a part of
            // it: extracted here instead. The marker last, so that a copy cut short is taken again from the start.
            Object after = Files.readAttributes(marker, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            if (before == null || !before.equals(after) || !Files.readString(marker).equals(source)) {
                deleteRecursively(dir);
                return false;
            }
            linkTree(marker, dir.resolve(EXTRACTED_FROM), file -> true);
            return true;
        } catch (IOException e) {
            // A build running at the same time replaced it; this start extracts for itself.
            deleteRecursively(cdsDir.resolve(service.name()));
            return false;
        }
    }

    /**
     * {@code from} (a file, or a directory and everything under it that {@code take} accepts) at {@code to}, as hard
     * links where the file system allows them, else as copies that keep each file's time (the class-data archives
     * check the jars' sizes and times).
     */
    static void linkTree(Path from, Path to, java.util.function.Predicate<Path> take) throws IOException {
        List<Path> files;
        try (Stream<Path> paths = Files.walk(from)) {
            files = paths.filter(Files::isRegularFile).filter(take).toList();
        }
        for (Path file : files) {
            Path target = to.resolve(from.relativize(file).toString());
            Files.createDirectories(target.getParent());
            linkOrCopy(file, target);
        }
    }

    /** {@code file} at {@code target}: a hard link, else (another file system) a copy that keeps the file's time. */
    static void linkOrCopy(Path file, Path target) throws IOException {
        try {
            Files.createLink(target, file);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(file, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
