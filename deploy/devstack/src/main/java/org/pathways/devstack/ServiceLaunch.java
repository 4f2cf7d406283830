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
 * service stops ({@code -XX:+AutoCreateSharedArchive}) and maps on every later start. Class loading is most of a
 * Spring Boot service's start-up on a small machine, and CDS only works for classes loaded from plain jars on the
 * class path, not from the jars nested inside a Boot jar, hence the extraction. The first start pays for extraction
 * (under a second a service) and records; later ones start faster. A rebuilt jar is extracted again and its archive
 * recreated by the JVM (which checks the class path itself). If extraction fails, the service starts from its jar as
 * before: CDS is an optimisation, never a reason not to start.
 */
final class ServiceLaunch {

    /** The same small, quick-starting JVM for every service: eight JVMs must fit on a laptop next to an IDE. */
    static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            // Lucene (the catalogue's search index) maps its files with the foreign-memory API; JDK 24+ warns
            // about that on every start unless it is allowed.
            "--enable-native-access=ALL-UNNAMED");
    /**
     * Options added to every service's JVM, split at white space: to profile or try a setting on the devstack as it
     * runs (e.g. {@code -XX:StartFlightRecording=filename=/tmp/%p.jfr}), without a build.
     */
    static final String EXTRA_OPTIONS = "DEVSTACK_SERVICE_JVM_OPTIONS";
    private static final Duration EXTRACT_DEADLINE = Duration.ofMinutes(3);
    private static final String ARCHIVE = "classes.jsa";
    private static final String EXTRACTED_FROM = "extracted-from";

    private final Path repositoryRoot;
    private final Path cdsDir;
    private final PrintStream console;
    private final Map<PlatformService, CompletableFuture<Path>> preparations = new ConcurrentHashMap<>();

    ServiceLaunch(Path repositoryRoot, Path dataDir, PrintStream console) {
        this.repositoryRoot = repositoryRoot;
        this.cdsDir = dataDir.resolve("cds");
        this.console = console;
    }

    /**
     * Extracts the jars that need it side by side, in the background, so that the first start does it while Kafka
     * boots rather than in front of each service.
     */
    void prepare(List<PlatformService> services) {
        for (PlatformService service : services) {
            preparations.computeIfAbsent(service, s -> {
                CompletableFuture<Path> extracted = new CompletableFuture<>();
                Thread.ofVirtual().name("extract-" + s.name()).start(() -> {
                    try {
                        extracted.complete(extracted(s, s.execJar(repositoryRoot)));
                    } catch (InterruptedException e) {
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
        command.addAll(extraJvmOptions(System.getenv(EXTRA_OPTIONS)));
        prepare(List.of(service));
        Path extracted;
        try {
            extracted = preparations.get(service).get();
        } catch (ExecutionException e) {
            extracted = null;
        }
        if (extracted == null) {
            command.add("-jar");
            command.add(jar.toString());
            return command;
        }
        command.add("-XX:SharedArchiveFile=" + extracted.getParent().resolveSibling(ARCHIVE));
        command.add("-XX:+AutoCreateSharedArchive");
        // The JVM says so when it recreates an archive (a rebuilt jar); that is expected, not a warning for people.
        command.add("-Xlog:cds=off");
        command.add("-Xlog:cds+dynamic=off");
        command.add("-jar");
        command.add(extracted.toString());
        return command;
    }

    static List<String> extraJvmOptions(String value) {
        return value == null || value.isBlank() ? List.of() : List.of(value.strip().split("\\s+"));
    }

    /** The extracted jar, up to date with {@code jar}, or null when it cannot be had. */
    private Path extracted(PlatformService service, Path jar) throws InterruptedException {
        // Called on one thread per service: the directories differ, so no two extractions touch the same files.
        Path dir = cdsDir.resolve(service.name());
        // The tool wants an empty destination of its own; the archive and the notes live beside it.
        Path extractedJar = dir.resolve("app").resolve(jar.getFileName());
        Path marker = dir.resolve(EXTRACTED_FROM);
        try {
            String source = jar.toAbsolutePath() + " " + Files.getLastModifiedTime(jar).toMillis() + " "
                    + Files.size(jar);
            if (Files.isRegularFile(extractedJar) && Files.isRegularFile(marker)
                    && Files.readString(marker).equals(source)) {
                return extractedJar;
            }
            deleteRecursively(dir);
            Files.createDirectories(dir);
            List<String> extract = List.of(JavaRuntime.javaExecutable(), "-Djarmode=tools", "-jar", jar.toString(),
                    "extract", "--destination", extractedJar.getParent().toString());
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

    private static void deleteRecursively(Path dir) throws IOException {
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
