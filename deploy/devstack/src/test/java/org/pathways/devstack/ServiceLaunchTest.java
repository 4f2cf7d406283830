package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The options a developer adds to every service's JVM through {@code DEVSTACK_SERVICE_JVM_OPTIONS}. */
class ServiceLaunchTest {

    @Test
    void splitsTheVariableAtWhiteSpaceAndAddsNothingWhenItIsUnsetOrBlank() {
        assertThat(ServiceLaunch.extraJvmOptions(" -XX:StartFlightRecording=filename=/tmp/%p.jfr \t -Dx=1\n"))
                .containsExactly("-XX:StartFlightRecording=filename=/tmp/%p.jfr", "-Dx=1");
        assertThat(ServiceLaunch.extraJvmOptions(null)).isEmpty();
        assertThat(ServiceLaunch.extraJvmOptions("   ")).isEmpty();
    }
}
