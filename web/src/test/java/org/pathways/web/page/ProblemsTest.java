package org.pathways.web.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.i18n.LocaleContextHolder;

import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.StubApi;

/**
 * The API's refusals as the pages say them: in the page's language, in the page's own words for each refusal a page
 * can meet, and in general words for any other, never the API's English detail (written for developers).
 */
class ProblemsTest {

    /** The refusals the pages can meet (by the API's problem kind), beyond a form's fields and "not found". */
    static final List<String> KINDS_THE_PAGES_MEET = List.of(
            // referrals: sending one, its actions, re-routing
            "consent-required", "open-referral-exists", "opportunity-not-open", "invalid-reason",
            "illegal-transition", "stale-version", "learner-erased",
            // learners: registering, consents, milestones
            "date-of-birth-in-future", "consent-needs-agency-or-kind", "consent-already-withdrawn",
            "milestone-in-future", "achievement-needs-learning-kind", "only-achievements-have-levels",
            "learner-merged",
            // the team: the lead worker and the plan
            "lead-already-assigned", "handover-pending", "handover-to-current-lead", "not-the-lead",
            "not-the-named-worker", "agency-without-standing", "referral-not-of-learner", "owner-not-in-team",
            "due-date-out-of-range", "not-step-owner", "step-closed", "plan-full",
            // agency admins and platform administrators
            "invalid-endpoint", "unknown-event-type", "delivery-pending", "delivery-withheld", "subscription-inactive",
            "subscription-disabled", "secret-rotated-meanwhile", "already-registered", "kind-set-by-platform-admin",
            // anywhere
            "forbidden", "bad-request", "malformed-request");

    private static final String ENGLISH_DETAIL = "The API's own English, for developers.";
    private final Problems problems = Bundles.problems();

    @AfterEach
    void backToEnglish() {
        LocaleContextHolder.resetLocaleContext();
    }

    private static ApiProblem refusal(String kind) {
        return StubApi.refusal(409, "{\"type\":\"urn:pathways:problem:" + kind + "\",\"detail\":\"" + ENGLISH_DETAIL
                + "\"}");
    }

    private String said(ApiProblem problem, String language) {
        LocaleContextHolder.setLocale(Locale.forLanguageTag(language));
        return problems.summary(problem);
    }

    @Test
    void everyRefusalThePagesMeetIsSaidInTheirOwnWordsInEnglishAndInWelsh() {
        String generalEnglish = said(refusal("no-such-kind"), "en");
        String generalWelsh = said(refusal("no-such-kind"), "cy");
        for (String kind : KINDS_THE_PAGES_MEET) {
            String english = said(refusal(kind), "en");
            String welsh = said(refusal(kind), "cy");

            assertThat(english).as(kind).isNotEqualTo(ENGLISH_DETAIL).isNotEqualTo(generalEnglish);
            assertThat(welsh).as(kind).isNotEqualTo(ENGLISH_DETAIL).isNotEqualTo(generalWelsh)
                    .isNotEqualTo(english);
        }
        assertThat(said(refusal("open-referral-exists"), "en"))
                .isEqualTo("This learner already has an open referral to this opportunity.");
        assertThat(said(refusal("open-referral-exists"), "cy"))
                .isEqualTo("Mae gan y dysgwr hwn atgyfeiriad agored i'r cyfle hwn yn barod.");
    }

    @Test
    void aRefusalOfAnyOtherKindIsSaidInGeneralInThePagesLanguageNeverInTheApisEnglish() {
        ApiProblem unknown = refusal("something-new");
        ApiProblem notEvenJson = StubApi.refusal(502, "Bad gateway: upstream connect error");

        assertThat(said(unknown, "en")).isEqualTo("That could not be done. Check what you entered, or try again later.");
        assertThat(said(unknown, "cy"))
                .isEqualTo("Ni ellid gwneud hynny. Gwiriwch yr hyn a roesoch, neu rhowch gynnig arall arni yn nes ymlaen.");
        // A failure on Pathways' side is not the worker's to correct: no "check what you entered".
        assertThat(said(notEvenJson, "en"))
                .isEqualTo("Pathways could not do that just now. Nothing you entered is wrong: try again in a minute.");
        assertThat(said(notEvenJson, "cy")).startsWith("Ni allai Pathways wneud hynny ar hyn o bryd.");
        assertThat(said(StubApi.refusal(429, "{\"type\":\"urn:pathways:problem:rate-limited\",\"status\":429}"),
                "en")).isEqualTo("Too many requests were sent in a short time. Wait a moment, then try again.");
        LocaleContextHolder.setLocale(Locale.forLanguageTag("cy"));
        assertThat(problems.text(unknown)).doesNotContain(ENGLISH_DETAIL);
    }

    @Test
    void aFormsFieldsAreStillSaidOneByOne() {
        ApiProblem invalid = StubApi.refusal(400, """
                {"type":"urn:pathways:problem:validation","detail":"Some fields are not valid.",
                 "errors":[{"field":"familyName","code":"NotBlank","message":"must not be blank"}]}""");

        assertThat(said(invalid, "cy")).isEqualTo("Gwiriwch y meysydd isod.");
        assertThat(problems.fields(invalid)).extracting(Problems.FieldProblem::text)
                .containsExactly("Cyfenw: ni ellir gadael hwn yn wag.");
    }
}
