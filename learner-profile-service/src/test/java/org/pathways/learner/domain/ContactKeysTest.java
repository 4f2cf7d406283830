package org.pathways.learner.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContactKeysTest {

    @Test
    void phoneNumbersWrittenDifferentlyCompareEqual() {
        assertThat(ContactKeys.phone("+44 7700 900123")).isEqualTo("07700900123");
        assertThat(ContactKeys.phone("07700 900 123")).isEqualTo("07700900123");
        assertThat(ContactKeys.phone("(07700) 900-123")).isEqualTo("07700900123");
        assertThat(ContactKeys.phone("0044 7700 900123")).isEqualTo("07700900123");
        assertThat(ContactKeys.phone(null)).isNull();
    }

    @Test
    void emailAddressesCompareWithoutCaseOrSpaces() {
        assertThat(ContactKeys.email(" Amina.Okafor@Example.ORG ")).isEqualTo("amina.okafor@example.org");
        assertThat(ContactKeys.email(" ")).isNull();
    }
}
