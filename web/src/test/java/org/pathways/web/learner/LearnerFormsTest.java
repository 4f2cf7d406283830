package org.pathways.web.learner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ui.ExtendedModelMap;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import org.pathways.web.api.StubApi;

/**
 * The learner forms as the API receives them: "They are someone else, register them anyway" is said of the details
 * the possible duplicates were found for (the same details go with the check waived, corrected ones are checked
 * again); a milestone goes with its form's key, so that a second click records nothing more.
 */
class LearnerFormsTest {

    /** The profile service: a possible duplicate unless the check is waived, then the new record. */
    private final StubApi profiles = new StubApi().answering(request -> request.body().contains("confirmNotDuplicate")
            ? new StubApi.Answer(201, "{\"id\":\"lrn-new\"}")
            : new StubApi.Answer(409, """
                    {"type":"urn:pathways:problem:possible-duplicate","status":409,"detail":"Possible duplicate.",
                     "candidates":[{"learnerId":"lrn-1","visibleToYou":true,"matchedOn":["NAME","DATE_OF_BIRTH"]}]}"""));
    private final LearnerController pages = new LearnerController(profiles.client(), null, null, null, null);

    @AfterEach
    void close() {
        profiles.close();
    }

    private static MultiValueMap<String, String> person(String dateOfBirth) {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("givenName", "Amina");
        form.add("familyName", "Okafor");
        form.add("dateOfBirth", dateOfBirth);
        form.add("localityCode", "LS6");
        form.add("preferredLanguage", "en");
        return form;
    }

    @Test
    void aMilestoneIsSentWithItsFormsKeySoASecondClickRecordsNothingMore() {
        profiles.answering(request -> new StubApi.Answer(201, "{\"id\":\"mls-1\"}"));
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("kind", "FIRST_CONTACT");
        form.add("occurredOn", "2026-12-01");
        form.add("idempotencyKey", "3f1c0a2e-form-key");

        assertThat(pages.recordMilestone("lrn-1", form,
                new org.springframework.web.servlet.mvc.support.RedirectAttributesModelMap()))
                .isEqualTo("redirect:/learners/lrn-1");

        assertThat(profiles.requests().getLast().path()).isEqualTo("/api/learners/lrn-1/milestones");
        assertThat(profiles.requests().getLast().idempotencyKey()).isEqualTo("3f1c0a2e-form-key");
    }

    @Test
    void aConsentUntilADayTheyChoseEndsAtTheEndOfThatDayInUkTime() {
        profiles.answering(request -> new StubApi.Answer(201, "{\"id\":\"cns-1\"}"));
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("scope", "agency");
        form.add("agencyId", "agency-college");
        form.add("purpose", "REFERRAL_SHARING");
        form.add("method", "VERBAL");
        form.add("expiresOn", "2027-07-31");

        pages.recordConsent("lrn-1", form, new org.springframework.web.servlet.mvc.support.RedirectAttributesModelMap());

        // Midnight at the end of 31 July, British Summer Time: 23:00 UTC.
        assertThat(profiles.requests().getLast().body()).contains("\"expiresAt\":\"2027-07-31T23:00:00Z\"");
        form.set("expiresOn", "");
        pages.recordConsent("lrn-1", form, new org.springframework.web.servlet.mvc.support.RedirectAttributesModelMap());
        assertThat(profiles.requests().getLast().body()).doesNotContain("expiresAt");
    }

    @Test
    void theWaiverGoesOnlyWithTheDetailsItWasGivenFor() {
        ExtendedModelMap warned = new ExtendedModelMap();
        MultiValueMap<String, String> first = person("1990-05-01");
        first.add("idempotencyKey", "9a7e-form-key");
        assertThat(pages.register(first, warned)).isEqualTo("learners/register");
        // Nothing was registered: the form shown again keeps its key.
        assertThat(warned.getAttribute("formKey")).isEqualTo("9a7e-form-key");
        assertThat(warned.getAttribute("candidates")).isNotNull();
        String checked = (String) warned.getAttribute("checkedDetails");
        assertThat(checked).isNotBlank().doesNotContain("Amina", "1990");

        // The date corrected after the warning: checked again, not waived.
        MultiValueMap<String, String> corrected = person("1990-05-11");
        corrected.add("confirmNotDuplicate", "true");
        corrected.add("checkedDetails", checked);
        ExtendedModelMap again = new ExtendedModelMap();
        assertThat(pages.register(corrected, again)).isEqualTo("learners/register");
        assertThat(profiles.requests().getLast().body()).doesNotContain("confirmNotDuplicate");
        assertThat(again.getAttribute("candidates")).isNotNull();

        // The details as they were warned about: registered anyway.
        MultiValueMap<String, String> same = person("1990-05-01");
        same.add("confirmNotDuplicate", "true");
        same.add("checkedDetails", checked);
        same.add("idempotencyKey", "9a7e-form-key");
        assertThat(pages.register(same, new ExtendedModelMap())).isEqualTo("redirect:/learners/lrn-new?registered");
        // With the form's key: "Register anyway" clicked twice registers the one person once.
        assertThat(profiles.requests().getLast().idempotencyKey()).isEqualTo("9a7e-form-key");
        assertThat(profiles.requests().getLast().body()).contains("\"confirmNotDuplicate\":true");
        assertThat(profiles.requests()).extracting(StubApi.Request::path).containsOnly("/api/learners");
        assertThat(List.of(profiles.requests().size())).containsExactly(3);
    }
}
