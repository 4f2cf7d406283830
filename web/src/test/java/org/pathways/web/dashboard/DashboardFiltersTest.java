package org.pathways.web.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;

import org.junit.jupiter.api.Test;

/** What a coordinator chose, or typed into the address bar: what cannot be right is dropped, never sent on. */
class DashboardFiltersTest {

    private static final LocalDate TODAY = LocalDate.of(2026, 12, 1);

    @Test
    void defaultsToTheLastTwentyEightDaysByWeek() {
        DashboardFilters filters = DashboardFilters.of(null, null, null, null, null, null, null, null, TODAY);
        assertThat(filters.from()).isEqualTo(LocalDate.of(2026, 11, 4));
        assertThat(filters.to()).isEqualTo(TODAY);
        assertThat(filters.period()).isEqualTo("WEEK");
        assertThat(filters.query()).isEqualTo("from=2026-11-04&to=2026-12-01&period=WEEK");
    }

    @Test
    void dropsWhatCannotBeRight() {
        DashboardFilters filters = DashboardFilters.of("2026-13-40", "2027-01-01", "YEAR", "agency college",
                "COURSE", "ls6 1ab!", "opp-1\"><script>", "ACCIDENTAL", TODAY);
        assertThat(filters.to()).as("not in the future").isEqualTo(TODAY);
        assertThat(filters.from()).isEqualTo(TODAY.minusDays(27));
        assertThat(filters.period()).isEqualTo("WEEK");
        assertThat(filters.agency()).isNull();
        assertThat(filters.kind()).isNull();
        assertThat(filters.locality()).isNull();
        assertThat(filters.opportunity()).isNull();
        assertThat(filters.learningKind()).isNull();
    }

    @Test
    void keepsAValidChoiceAndAWindowOfAtMostAYear() {
        DashboardFilters filters = DashboardFilters.of("2026-10-01", "2026-11-30", "DAY", "agency-college",
                "FORMAL_LEARNING", "ls6", "opp-123", "INFORMAL", TODAY);
        assertThat(filters).isEqualTo(new DashboardFilters(LocalDate.of(2026, 10, 1), LocalDate.of(2026, 11, 30),
                "DAY", "agency-college", "FORMAL_LEARNING", "LS6", "opp-123", "INFORMAL", null));
        assertThat(DashboardFilters.of("2024-01-01", "2026-11-30", null, null, null, null, null, null, TODAY).from())
                .as("more than 366 days falls back to the default window").isEqualTo(LocalDate.of(2026, 11, 3));
    }

    @Test
    void saysWhenTheDatesAskedForAreNotTheOnesShown() {
        DashboardFilters backwards = DashboardFilters.of("2026-11-30", "2026-11-01", null, null, null, null, null,
                null, TODAY);
        assertThat(backwards.adjusted("2026-11-30", "2026-11-01")).as("the start after the end").isTrue();
        assertThat(DashboardFilters.of(null, "2027-01-01", null, null, null, null, null, null, TODAY)
                .adjusted(null, "2027-01-01")).as("in the future").isTrue();
        assertThat(DashboardFilters.of("2026-02-30", null, null, null, null, null, null, null, TODAY)
                .adjusted("2026-02-30", null)).as("no such day").isTrue();
        assertThat(DashboardFilters.of("2026-10-01", "2026-11-30", null, null, null, null, null, null, TODAY)
                .adjusted("2026-10-01", "2026-11-30")).as("as asked").isFalse();
        assertThat(DashboardFilters.of(null, null, null, null, null, null, null, null, TODAY).adjusted(null, ""))
                .as("nothing asked: the default is no surprise").isFalse();
    }

    @Test
    void aSpreadsheetNeverRunsACellAsAFormula() {
        assertThat(DashboardController.safeCell("=HYPERLINK(\"x\")")).isEqualTo("'=HYPERLINK(\"x\")");
        assertThat(DashboardController.safeCell("-2+3")).isEqualTo("'-2+3");
        assertThat(DashboardController.safeCell("Park Lane College")).isEqualTo("Park Lane College");
        assertThat(DashboardController.safeCell(12L)).isEqualTo(12L);
    }

    @org.junit.jupiter.api.Test
    void aFunnelCutTheApiKnowsIsKeptAndAnyOtherDropped() {
        assertThat(DashboardFilters.of(null, null, null, null, null, null, null, null, "LOCALITY", TODAY).groupBy())
                .isEqualTo("LOCALITY");
        assertThat(DashboardFilters.of(null, null, null, null, null, null, null, null, "LEARNER", TODAY).groupBy())
                .isNull();
        assertThat(DashboardFilters.of(null, null, null, null, null, null, null, null, "REFERRING_AGENCY", TODAY)
                .query()).contains("groupBy=REFERRING_AGENCY");
    }
}
