package org.pathways.web.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ui.ExtendedModelMap;

import org.pathways.web.api.StubApi;
import org.pathways.web.page.Bundles;

/**
 * What the referral pages put in the API's address reaches the API as it was: the words a worker types to find an
 * opportunity to re-route to, and the cursor the API gave for the next page of a learner's referrals.
 */
class ReferralApiAddressesTest {

    private final StubApi api = new StubApi();

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void theWordsTypedToFindAnotherOpportunityReachTheCatalogueAsTyped() {
        api.answering(request -> StubApi.Answer.ok("""
                {"items":[{"id":"opp-1","title":"C++ for beginners"},{"id":"opp-2","title":"C++ next steps"}]}"""));
        ReferralController pages = new ReferralController(api.client(), Bundles.problems(), Bundles.messages());
        ExtendedModelMap model = new ExtendedModelMap();

        pages.rerouteOptions("ref-1", " C++ ", "opp-1", model);
        assertThat(api.requests().getLast().query()).containsEntry("q", "C++").containsEntry("limit", "10");
        pages.rerouteOptions("ref-1", "{x}", "opp-1", new ExtendedModelMap());
        assertThat(api.requests().getLast().query()).containsEntry("q", "{x}");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> options = (List<Map<String, Object>>) model.getAttribute("options");
        assertThat(options).extracting(option -> option.get("id")).containsExactly("opp-2");
    }

    @Test
    void aReferralWhoseNotesAreNoLongerTheAgencysStillShowsItsCourse() {
        // The person withdrew this agency's consent: the API answers the referral without their data, and the notes
        // with 403 consent-required. The page is the referral's course, not an error page.
        api.answering(request -> switch (request.path()) {
            case "/api/referrals/ref-1" -> StubApi.Answer.ok("""
                    {"id":"ref-1","version":3,"learnerId":"lrn-1","opportunityId":"opp-1","status":"ON_HOLD",
                     "referringAgencyId":"agency-council","receivingAgencyId":"agency-college",
                     "allowedActions":["CANCEL"],"history":[{"status":"SUBMITTED","at":"2026-12-01T10:00:00Z"}]}""");
            case "/api/referrals/ref-1/notes" -> new StubApi.Answer(403, """
                    {"type":"urn:pathways:problem:consent-required","status":403,"detail":"Not in force."}""");
            case "/api/referrals/ref-1/chain" -> StubApi.Answer.ok("[]");
            default -> new StubApi.Answer(404, "{\"type\":\"urn:pathways:problem:not-found\",\"status\":404}");
        });
        ReferralController pages = new ReferralController(api.client(), Bundles.problems(), Bundles.messages());
        ExtendedModelMap model = new ExtendedModelMap();

        assertThat(pages.referral("ref-1", null, model)).isEqualTo("referrals/referral");
        assertThat(model.getAttribute("notesNotShown")).isEqualTo(true);
        assertThat((List<?>) model.getAttribute("notes")).isEmpty();
    }

    @Test
    void theCursorOfTheNextPageOfALearnersReferralsIsSentBackAsTheApiGaveIt() {
        api.answering(request -> StubApi.Answer.ok("outgoing".equals(request.query().get("direction"))
                && request.query().get("cursor") == null
                ? "{\"items\":[{\"id\":\"ref-1\"}],\"next\":\"a+b/c=\"}"
                : "{\"items\":[]}"));

        new LearnersReferrals(api.client()).of("lrn-1+2");

        List<Map<String, String>> asked = api.requests().stream().map(StubApi.Request::query).toList();
        assertThat(asked).allSatisfy(query -> assertThat(query).containsEntry("learnerId", "lrn-1+2"));
        assertThat(asked).extracting(query -> query.get("cursor")).contains("a+b/c=");
    }
}
