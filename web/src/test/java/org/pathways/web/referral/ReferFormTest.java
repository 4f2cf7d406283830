package org.pathways.web.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ui.ExtendedModelMap;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.servlet.mvc.support.RedirectAttributesModelMap;

import org.pathways.web.api.PathwaysApi;
import org.pathways.web.api.StubApi;
import org.pathways.web.page.RenderedPage;

/**
 * The referral form refused after the referral-service may have made the referral (a {@code 503} from the gateway
 * after the write): the form comes back as written with the key it was sent with, so that sending it again is
 * answered as the referral made, not refused as a second open referral. The API not answering at all (the gateway
 * down) refuses the referral and every read the form is drawn from: the form still comes back as written, saying so.
 */
class ReferFormTest {

    private final StubApi api = new StubApi().answering(request -> switch (request.method() + " " + request.path()) {
        case "POST /api/referrals" -> new StubApi.Answer(503, """
                {"type":"urn:pathways:problem:service-unavailable","status":503,"detail":"Try later."}""");
        case "GET /api/opportunities/opp-1" -> StubApi.Answer.ok("{\"id\":\"opp-1\",\"providerAgencyId\":\"agency-college\"}");
        case "GET /api/learners/lrn-1/consents/check" -> StubApi.Answer.ok("{\"covered\":true}");
        default -> StubApi.Answer.ok("{\"id\":\"lrn-1\",\"givenName\":\"Amina\"}");
    });
    private final ReferralController pages = new ReferralController(api.client(), null, null);

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void aRefusedReferralFormComesBackWithTheKeyItWasSentWith() {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("opportunityId", "opp-1");
        form.add("need", "Wants to improve her English for work.");
        form.add("urgency", "ROUTINE");
        form.add("shareSummary", "true");
        form.add("idempotencyKey", "form-key-1");
        ExtendedModelMap model = new ExtendedModelMap();

        String page = pages.refer("lrn-1", form, model, new RedirectAttributesModelMap());

        assertThat(page).isEqualTo("referrals/refer");
        assertThat(api.requests()).filteredOn(request -> request.path().equals("/api/referrals"))
                .extracting(StubApi.Request::idempotencyKey).containsExactly("form-key-1");
        assertThat(model.getAttribute("idempotencyKey")).as("sent again, the form is the same request")
                .isEqualTo("form-key-1");
        assertThat(model.getAttribute("form")).asString().contains("Wants to improve her English for work.");
    }

    /**
     * Until 2026-12-07 the refused form was drawn again from the learner, the opportunity and the consent check read
     * afresh: with the API not answering, those reads failed too, and the worker got an error page instead of their
     * referral as written.
     */
    @Test
    void aReferralSentWhileTheApiDoesNotAnswerComesBackAsWrittenSayingToSendItAgain() {
        PathwaysApi unreachable = api.client();
        api.close();   // nothing listens: every call is the API client's 503 service-unavailable
        ReferralController pages = new ReferralController(unreachable, null, null);
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("opportunityId", "opp-1");
        form.add("need", "Wants to improve her English for work; evenings only.");
        form.add("urgency", "SOON");
        form.add("idempotencyKey", "form-key-2");
        ExtendedModelMap model = new ExtendedModelMap();

        String view = pages.refer("lrn-1", form, model, new RedirectAttributesModelMap());

        assertThat(view).isEqualTo("referrals/refer");
        String page = RenderedPage.of(view, model, unreachable, Locale.UK);
        assertThat(page).contains("Wants to improve her English for work; evenings only.</textarea>")
                .containsPattern("id=\"urgency-SOON\"[^>]*checked")
                .doesNotContainPattern("id=\"shareSummary\"[^>]*checked")
                .contains("name=\"idempotencyKey\" value=\"form-key-2\"")
                .contains("name=\"opportunityId\" value=\"opp-1\"")
                .contains("action=\"/learners/lrn-1/refer\"")
                .contains("That part of Pathways is not answering just now. Try again in a minute.")
                .contains("What you wrote is kept below: send it again in a minute.")
                .doesNotContain("id=\"consent-check\"");
        assertThat(RenderedPage.of(view, model, unreachable, Locale.forLanguageTag("cy")))
                .contains("Wants to improve her English for work; evenings only.</textarea>")
                .contains("Nid oedd Pathways yn gallu dangos manylion y dysgwr");
    }
}
