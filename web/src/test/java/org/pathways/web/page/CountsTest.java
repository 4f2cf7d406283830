package org.pathways.web.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.i18n.LocaleContextHolder;

/** Counts as the progression API gives them: numbers, or a suppressed small count as a string. */
class CountsTest {

    private final Counts counts = new Counts();

    @AfterEach
    void resetLocale() {
        LocaleContextHolder.resetLocaleContext();
    }

    @Test
    void showsNumbersTheUkWayAndASuppressedCountAsTheApiGaveIt() {
        LocaleContextHolder.setLocale(Locale.forLanguageTag("en-GB"));
        assertThat(counts.show(12345)).isEqualTo("12,345");
        assertThat(counts.show(0L)).isEqualTo("0");
        assertThat(counts.show(null)).isEqualTo("0");
        assertThat(counts.show("<5")).isEqualTo("<5");
        assertThat(counts.suppressed("<5")).isTrue();
        assertThat(counts.suppressed(3)).isFalse();
    }

    @Test
    void aChartLeavesASuppressedCountOutRatherThanGuessIt() {
        assertThat(Counts.numeric(7)).isEqualTo(7L);
        assertThat(Counts.numeric("7")).isEqualTo(7L);
        assertThat(Counts.numeric("<5")).isNull();
        assertThat(Counts.numeric(null)).isZero();
    }

    @Test
    void sharesAndDurationsReadAsPeopleSayThem() {
        LocaleContextHolder.setLocale(Locale.forLanguageTag("en-GB"));
        assertThat(counts.percent(0.636)).isEqualTo("64%");
        assertThat(counts.percent(null)).isEqualTo("–");
        assertThat(counts.duration(45)).isEqualTo("45 s");
        assertThat(counts.duration(5400)).isEqualTo("1.5 h");
        assertThat(counts.duration(3 * 86400)).isEqualTo("3 d");
        assertThat(counts.millis(350)).isEqualTo("350 ms");
        assertThat(counts.millis(1500)).isEqualTo("1.5 s");
        assertThat(counts.millis(null)).as("withheld over a small count").isEqualTo("–");
    }
}
