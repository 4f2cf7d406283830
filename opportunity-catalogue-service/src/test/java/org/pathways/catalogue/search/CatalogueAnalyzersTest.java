package org.pathways.catalogue.search;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How text becomes terms, the same when indexed and when queried. */
class CatalogueAnalyzersTest {

    @Test
    void englishStemsFoldsAccentsAndDropsCommonWords() {
        assertThat(CatalogueAnalyzers.terms(CatalogueAnalyzers.english(), "title", "Cooking for the Families' café"))
                .containsExactly("cook", "famili", "cafe");
        assertThat(CatalogueAnalyzers.terms(CatalogueAnalyzers.english(), "title", "cooks"))
                .containsExactly("cook");
    }

    @Test
    void welshAddsTheRadicalFormOfEachMutation() {
        assertThat(CatalogueAnalyzers.terms(CatalogueAnalyzers.welsh(), "title_cy", "yn Gymraeg"))
                .as("soft c→g; 'yn' is a function word").containsExactly("gymraeg", "cymraeg");
        assertThat(CatalogueAnalyzers.terms(CatalogueAnalyzers.welsh(), "title_cy", "yng Nghaerdydd"))
                .contains("nghaerdydd", "caerdydd");
        assertThat(WelshMutationFilter.radicals("mhen")).as("nasal p→mh").contains("pen");
        assertThat(WelshMutationFilter.radicals("thad")).as("aspirate t→th").contains("tad");
        assertThat(WelshMutationFilter.radicals("fara")).as("soft b→f and m→f").contains("bara", "mara");
        assertThat(WelshMutationFilter.radicals("ddysgu")).as("soft d→dd").contains("dysgu");
        assertThat(WelshMutationFilter.radicals("ardd")).as("soft: a dropped g").contains("gardd");
        assertThat(WelshMutationFilter.radicals("hysgol")).as("h-prothesis").contains("ysgol");
        assertThat(WelshMutationFilter.radicals("cwrs")).as("a radical c is no mutation").isEmpty();
        assertThat(CatalogueAnalyzers.terms(CatalogueAnalyzers.welsh(), "title_cy", "Gŵyl")).contains("gwyl");
    }
}
