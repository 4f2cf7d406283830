package org.pathways.web.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.support.RedirectAttributesModelMap;

/**
 * A refused form goes back to its page with the refusal and what was sent carried over the redirect, and the page
 * opens at the refusal: what the learner's page, the referral's page and the team forms all do.
 */
class RefusedFormTest {

    @Test
    void aRefusedFormGoesBackToItsPageOpenAtTheRefusalWithWhatWasSent() {
        RedirectAttributesModelMap redirect = new RedirectAttributesModelMap();
        Map<String, String> sent = Map.of("form", "note", "text", "Called twice, no answer.", "idempotencyKey", "k-1");

        String next = RefusedForm.backTo("/referrals/ref-1", "Try again in a minute.", sent, redirect);

        assertThat(next).isEqualTo("redirect:/referrals/ref-1#problem");
        Map<String, Object> flashed = Map.copyOf(redirect.getFlashAttributes());
        assertThat(flashed).containsEntry("refused", "Try again in a minute.").containsEntry("sent", sent);
    }

    @Test
    void aRefusedActionWithoutAFormCarriesOnlyTheRefusal() {
        RedirectAttributesModelMap redirect = new RedirectAttributesModelMap();

        assertThat(RefusedForm.backTo("/learners/lrn-1", "That could not be done.", null, redirect))
                .isEqualTo("redirect:/learners/lrn-1#problem");
        assertThat(redirect.getFlashAttributes()).containsOnlyKeys("refused");
    }
}
