package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class CommandLineOptionsTest {

    @Test
    void startsWithDemoDataInAGivenDirectory() {
        CommandLineOptions options = CommandLineOptions.parse("--demo", "--data-dir", "/tmp/pathways");

        assertThat(options.demo()).isTrue();
        assertThat(options.dataDir()).isEqualTo(Path.of("/tmp/pathways"));
        assertThat(options.help()).isFalse();
        assertThat(options.verbose()).as("quiet console unless asked").isFalse();
    }

    @Test
    void verboseBringsEveryLineBack() {
        assertThat(CommandLineOptions.parse("--verbose").verbose()).isTrue();
        assertThat(CommandLineOptions.USAGE).contains("--verbose");
    }

    @Test
    void refusesWhatItDoesNotKnowInsteadOfIgnoringIt() {
        assertThatThrownBy(() -> CommandLineOptions.parse("--demmo")).hasMessageContaining("--demmo");
        assertThatThrownBy(() -> CommandLineOptions.parse("--data-dir")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> CommandLineOptions.parse("--agency", "a")).hasMessageContaining("--agency");
    }

    @Test
    void runsOneInstanceOfEachServiceUnlessAskedForMore() {
        assertThat(CommandLineOptions.parse().replicas()).isEqualTo(1);
        assertThat(CommandLineOptions.parse("--replicas", "2").replicas()).isEqualTo(2);
        assertThat(CommandLineOptions.USAGE).contains("--replicas N");
        assertThatThrownBy(() -> CommandLineOptions.parse("--replicas", "0")).hasMessageContaining("from 1 to 3");
        assertThatThrownBy(() -> CommandLineOptions.parse("--replicas", "4")).hasMessageContaining("from 1 to 3");
        assertThatThrownBy(() -> CommandLineOptions.parse("--replicas", "two")).hasMessageContaining("not two");
        assertThatThrownBy(() -> CommandLineOptions.parse("--replicas")).hasMessageContaining("needs a value");
    }

    @Test
    void pointsTheOldTokenCommandAtTheIssuer() {
        assertThatThrownBy(() -> CommandLineOptions.parse("token", "--agency", "a"))
                .hasMessageContaining("deploy/devstack/token");
    }
}
