package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The options a developer adds to every service's JVM through {@code DEVSTACK_SERVICE_JVM_OPTIONS}. */
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
}
