package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a service's JVM is launched: the options a developer adds to every service's JVM through
 * {@code DEVSTACK_SERVICE_JVM_OPTIONS}, and the extracted jar a first start takes from the build.
 */
class ServiceLaunchTest {

    @Test
    void splitsTheVariableAtWhiteSpaceAndAddsNothingWhenItIsUnsetOrBlank() {
        assertThat(ServiceLaunch.extraJvmOptions(" -XX:StartFlightRecording=filename=/tmp/%p.jfr \t -Dx=1\n", "referral"))
                .containsExactly("-XX:StartFlightRecording=filename=/tmp/%p.jfr", "-Dx=1");
        assertThat(ServiceLaunch.extraJvmOptions(null, "referral")).isEmpty();
        assertThat(ServiceLaunch.extraJvmOptions("   ", "referral")).isEmpty();
    }

    @Test
    void namesEachServicesOwnFileWhereTheOptionsSayService() {
        assertThat(ServiceLaunch.extraJvmOptions("-XX:DumpLoadedClassList=/tmp/{service}.classlist", "referral"))
                .containsExactly("-XX:DumpLoadedClassList=/tmp/referral.classlist");
    }

    @Test
    void aCrashingServiceWritesItsReportBesideItsLogNotIntoTheRepository(@TempDir Path root, @TempDir Path data)
            throws Exception {
        PlatformService referral = PlatformService.SCALABLE.get(2);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

        // No jar built under this root: the service would start from its (missing) jar, with the same options.
        assertThat(new ServiceLaunch(root, data, quiet).command(referral))
                .contains("-XX:ErrorFile=" + data.resolve("logs").resolve("referral-crash-%p.log"));
    }

    @Test
    void aFirstStartRunsTheJarTheBuildExtractedWithoutExtractingItAgain(@TempDir Path root, @TempDir Path data)
            throws Exception {
        PlatformService identity = PlatformService.IDENTITY;
        Path jar = builtAndExtractedByTheBuild(root, identity);
        Path built = ServiceLaunch.builtAhead(root).resolve(identity.name());
        Path extracted = built.resolve("app").resolve(jar.getFileName());
        Path library = built.resolve("app").resolve("lib").resolve("library-1.0.jar");
        Files.createDirectories(library.getParent());
        Files.writeString(library, "a library");
        Files.setLastModifiedTime(library, FileTime.fromMillis(1_700_000_000_000L));
        Files.writeString(built.resolve("extract.log"), "the build's extraction");
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        List<String> command = new ServiceLaunch(root, data, new PrintStream(console, true, StandardCharsets.UTF_8))
                .command(identity);

        Path own = data.resolve("cds").resolve(identity.name());
        Path taken = own.resolve("app").resolve(jar.getFileName());
        assertThat(command).containsSequence("-jar", taken.toString());
        assertThat(Files.isSameFile(taken, extracted)).as("a link to the build's file, not a copy").isTrue();
        // The class-data archives check each library's size and time: the data directory's are the build's.
        Path ownLibrary = own.resolve("app").resolve("lib").resolve("library-1.0.jar");
        assertThat(Files.getLastModifiedTime(ownLibrary)).isEqualTo(Files.getLastModifiedTime(library));
        assertThat(own.resolve("extracted-from")).hasContent(ServiceLaunch.extractedFrom(jar));
        assertThat(own.resolve("extract.log")).as("nothing extracted here").doesNotExist();
        assertThat(console.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aJarBuiltAgainSinceTheBuildsExtractionIsExtractedAfresh(@TempDir Path root, @TempDir Path data)
            throws Exception {
        PlatformService identity = PlatformService.IDENTITY;
        Path jar = builtAndExtractedByTheBuild(root, identity);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        List<String> command = new ServiceLaunch(root, data, new PrintStream(console, true, StandardCharsets.UTF_8))
                .command(identity);

        // This data directory ran Spring Boot's extraction itself (of a jar that is none here, so it starts from it).
        assertThat(data.resolve("cds").resolve(identity.name()).resolve("extract.log")).exists();
        assertThat(command).containsSequence("-jar", jar.toString());
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("could not extract");
    }

    /** The service's jar under {@code root}, and the build's extraction of it (a jar of its own, and its marker). */
    private static Path builtAndExtractedByTheBuild(Path root, PlatformService service) throws Exception {
        Path jar = service.execJar(root);
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "the service's Spring Boot jar");
        Path built = ServiceLaunch.builtAhead(root).resolve(service.name());
        Files.createDirectories(built.resolve("app"));
        Files.writeString(built.resolve("app").resolve(jar.getFileName()), "the extracted jar");
        Files.writeString(built.resolve("extracted-from"), ServiceLaunch.extractedFrom(jar));
        return jar;
    }
}
