package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
}
