package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The packaged devstack runs as the README's command runs it ({@code java -jar deploy/devstack/target/devstack.jar}):
 * its manifest names the main class and the libraries copied next to it. The platform it starts is checked by the
 * module's tests ({@link DevstackSmokeTest} and the fault suite, on one platform started in their JVM), so here only
 * what those cannot see: the jar. Runs in {@code verify}, after the jar is packaged.
 */
class DevstackJarIT {

    @Test
    void thePackagedJarStartsTheDevstacksCommandLine() throws Exception {
        Path jar = Path.of("target", "devstack.jar").toAbsolutePath();
        assertThat(jar).exists();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        Process help = new ProcessBuilder(java, "-jar", jar.toString(), "--help").redirectErrorStream(true).start();
        String usage = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(help.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(help.exitValue()).as(usage).isZero();
        assertThat(usage).contains(CommandLineOptions.USAGE);

        Process wrong = new ProcessBuilder(java, "-jar", jar.toString(), "--no-such-option").redirectErrorStream(true)
                .start();
        String refusal = new String(wrong.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(wrong.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(wrong.exitValue()).as(refusal).isEqualTo(2);
        assertThat(refusal).contains(CommandLineOptions.USAGE);
    }
}
