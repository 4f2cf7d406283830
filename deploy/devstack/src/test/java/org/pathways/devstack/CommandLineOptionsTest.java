package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class CommandLineOptionsTest {

    @Test
    void startsWithDemoDataInAGivenDirectory() {
        CommandLineOptions options = CommandLineOptions.parse("--demo", "--data-dir", "/tmp/pathways");

        assertThat(options.demo()).isTrue();
        assertThat(options.dataDir()).isEqualTo(Path.of("/tmp/pathways"));
        assertThat(options.token()).isNull();
    }

    @Test
    void readsATokenRequest() {
        CommandLineOptions options = CommandLineOptions.parse("token", "--agency", "agency-college", "--subject",
                "tutor-1", "--roles", "WORKER, AGENCY_ADMIN");

        assertThat(options.token().agencyId()).isEqualTo("agency-college");
        assertThat(options.token().subject()).isEqualTo("tutor-1");
        assertThat(options.token().roles()).containsExactly("WORKER", "AGENCY_ADMIN");
        assertThat(options.token().ttl()).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void refusesWhatItDoesNotKnowInsteadOfIgnoringIt() {
        assertThatThrownBy(() -> CommandLineOptions.parse("--demmo")).hasMessageContaining("--demmo");
        assertThatThrownBy(() -> CommandLineOptions.parse("--data-dir")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> CommandLineOptions.parse("token", "--agency", "a"))
                .hasMessageContaining("--subject");
        assertThatThrownBy(() -> CommandLineOptions.parse("--agency", "a")).hasMessageContaining("token command");
    }
}
