package org.pathways.web.opportunity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ui.ExtendedModelMap;

import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.StubApi;

/**
 * The catalogue search asks the catalogue for exactly the words typed, whatever characters they hold, and a search
 * the catalogue refuses comes back as the search page with the refusal and the words kept, not an error page.
 */
class OpportunitySearchTest {

    private final StubApi catalogue = new StubApi().answering(request -> StubApi.Answer.ok("{\"items\":[]}"));
    private final OpportunityController pages = new OpportunityController(catalogue.client());

    @AfterEach
    void close() {
        catalogue.close();
    }

    @Test
    void theCatalogueIsAskedForExactlyTheWordsTyped() {
        for (String words : new String[] {"C++", "{x}", "maths & english = 100% #1", "Cymraeg i oedolion"}) {
            ExtendedModelMap model = new ExtendedModelMap();

            assertThat(pages.search(words, "LS6", "FORMAL_LEARNING", null, model)).isEqualTo("opportunities/search");

            StubApi.Request asked = catalogue.requests().getLast();
            assertThat(asked.path()).isEqualTo("/api/opportunities");
            assertThat(asked.query()).as(words).containsEntry("q", words).containsEntry("locality", "LS6")
                    .containsEntry("kind", "FORMAL_LEARNING");
            assertThat(model.getAttribute("results")).as(words).isNotNull();
        }
        pages.search(null, "LS6+{area}", null, null, new ExtendedModelMap());
        assertThat(catalogue.requests().getLast().query()).containsEntry("locality", "LS6+{area}");
    }

    @Test
    void aKindThePageDoesNotOfferIsNotSentOn() {
        pages.search("cookery", null, "{x}", null, new ExtendedModelMap());

        assertThat(catalogue.requests().getLast().query()).containsEntry("q", "cookery").doesNotContainKey("kind");
    }

    @Test
    void aSearchTheCatalogueRefusesIsSaidOnTheSearchPageWithTheWordsKept() {
        catalogue.answering(request -> new StubApi.Answer(400, """
                {"type":"urn:pathways:problem:validation","status":400,"detail":"Some parameters are not valid.",
                 "errors":[{"field":"q","code":"Size","message":"size must be between 0 and 200"}]}"""));
        ExtendedModelMap model = new ExtendedModelMap();
        String words = "cookery ".repeat(30);

        assertThat(pages.search(words, null, null, "lrn-1", model)).isEqualTo("opportunities/search");

        assertThat(model.getAttribute("problem")).isInstanceOfSatisfying(ApiProblem.class,
                problem -> assertThat(problem.kind()).isEqualTo("validation"));
        assertThat(model.getAttribute("q")).isEqualTo(words);
        assertThat(model.getAttribute("learner")).isEqualTo("lrn-1");
        assertThat(model.getAttribute("results")).isNull();
    }
}
