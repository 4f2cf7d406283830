package org.pathways.web.referral;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ui.ExtendedModelMap;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.servlet.mvc.support.RedirectAttributesModelMap;

import org.pathways.web.api.StubApi;

/**
 * The referral form refused after the referral-service may have made the referral (a {@code 503} from the gateway
 * after the write): the form comes back as written with the key it was sent with, so that sending it again is
 * answered as the referral made, not refused as a second open referral.
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
}
