package org.pathways.learner.consent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;

/** An agency the learner consented to sees only the fields its purposes need. */
class PurposeScopedViewTest extends LearnerProfileServiceTest {

    private String registerWithNeeds() {
        Map<String, Object> details = learnerDetails();
        details.put("goals", "Work with animals");
        details.put("barriers", List.of("MONEY"));
        details.put("preferredContactMethod", "EMAIL");
        HttpApi.Response response = api().post("/api/learners", TestTokens.worker(COLLEGE), details);
        assertThat(response.status()).isEqualTo(201);
        return response.text("id");
    }

    private void consent(String learnerId, String agency, String purpose) {
        assertThat(api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", agency, "purpose", purpose, "method", "VERBAL")).status()).isEqualTo(201);
    }

    @Test
    void contactConsentShowsContactDetailsButNotNeedsGoalsOrBirthDate() {
        String id = registerWithNeeds();
        consent(id, COUNCIL, "CONTACT");

        HttpApi.Response view = api().get("/api/learners/" + id, TestTokens.worker(COUNCIL));

        assertThat(view.text("familyName")).isEqualTo("Okafor");
        assertThat(view.text("email")).isEqualTo("amina.okafor@example.org");
        assertThat(view.text("preferredContactMethod")).isEqualTo("EMAIL");
        assertThat(view.body().path("dateOfBirth").isNull()).isTrue();
        assertThat(view.body().path("goals").isNull()).isTrue();
        assertThat(view.body().path("barriers")).isEmpty();
        assertThat(view.body().path("sharedFor").get(0).asString()).isEqualTo("CONTACT");
        assertThat(view.body().toString()).doesNotContain("1994-03-17", "Work with animals", "MONEY");
    }

    @Test
    void referralSharingShowsTheReferralSummaryButNotContactDetails() {
        String id = registerWithNeeds();
        consent(id, HOUSING, "REFERRAL_SHARING");

        HttpApi.Response view = api().get("/api/learners/" + id, TestTokens.worker(HOUSING));

        assertThat(view.text("goals")).isEqualTo("Work with animals");
        assertThat(view.text("dateOfBirth")).isEqualTo("1994-03-17");
        assertThat(view.body().path("barriers").get(0).asString()).isEqualTo("MONEY");
        assertThat(view.body().path("email").isNull()).isTrue();
        assertThat(view.body().path("phone").isNull()).isTrue();
        assertThat(view.body().toString()).doesNotContain("amina.okafor@example.org", "7700");
    }

    @Test
    void theRegisteringAgencySeesEverything() {
        String id = registerWithNeeds();
        HttpApi.Response view = api().get("/api/learners/" + id, TestTokens.worker(COLLEGE));
        assertThat(view.text("email")).isEqualTo("amina.okafor@example.org");
        assertThat(view.text("goals")).isEqualTo("Work with animals");
        assertThat(view.body().path("sharedFor")).hasSize(3);
    }

    @Test
    void aPartItMayNotChangeIsRefusedBeforeTheChangesOwnRulesCanAnswerAboutWhatItMayNotSee() {
        // Without a contact consent, a contact method sent alone was checked against the e-mail on file first:
        // 422 contact-method-needs-email when there was none, 403 when there was one.
        Map<String, Object> details = learnerDetails();
        details.remove("email");
        details.put("preferredContactMethod", "PHONE");
        HttpApi.Response registered = api().post("/api/learners", TestTokens.worker(COLLEGE), details);
        assertThat(registered.status()).isEqualTo(201);
        String id = registered.text("id");
        consent(id, HOUSING, "REFERRAL_SHARING");

        HttpApi.Response probe = send("PATCH", "/api/learners/" + id, TestTokens.worker(HOUSING),
                Map.of("preferredContactMethod", "EMAIL", "version", 1));
        assertThat(probe.isProblem(403, "field-not-shared")).as(probe.toString()).isTrue();
    }

    @Test
    void anotherAgencyChangesOnlyWhatItMaySee() {
        String id = registerWithNeeds();
        consent(id, COUNCIL, "CONTACT");
        String council = TestTokens.worker(COUNCIL);

        HttpApi.Response phone = send("PATCH", "/api/learners/" + id, council,
                Map.of("phone", "07700 900999", "version", 1));
        assertThat(phone.status()).isEqualTo(200);
        assertThat(phone.text("phone")).isEqualTo("07700 900999");

        HttpApi.Response goals = send("PATCH", "/api/learners/" + id, council,
                Map.of("goals", "Not what the learner said", "version", 2));
        assertThat(goals.isProblem(403, "field-not-shared")).isTrue();
        assertThat(goals.text("detail")).contains("GOALS");
        Map<String, Object> whole = learnerDetails();
        whole.remove("confirmNotDuplicate");
        whole.put("version", 2);
        assertThat(send("PUT", "/api/learners/" + id, council, whole).isProblem(403, "field-not-shared"))
                .as("a PUT would clear the goals and barriers it cannot see").isTrue();
        // A part it may not see, sent with the value it holds, changes nothing: refused all the same, or the answer
        // would confirm a guess (200 for the right value, 403 for a wrong one).
        for (Map<String, Object> guess : List.of(Map.<String, Object>of("goals", "Work with animals"),
                Map.<String, Object>of("dateOfBirth", learnerDetails().get("dateOfBirth")),
                Map.<String, Object>of("barriers", List.of("MONEY"), "phone", "07700 900999"))) {
            Map<String, Object> patch = new java.util.HashMap<>(guess);
            patch.put("version", 2);
            assertThat(send("PATCH", "/api/learners/" + id, council, patch).isProblem(403, "field-not-shared"))
                    .as("a right guess of %s", guess.keySet()).isTrue();
        }
        HttpApi.Response college = api().get("/api/learners/" + id, TestTokens.worker(COLLEGE));
        assertThat(college.text("goals")).isEqualTo("Work with animals");
        assertThat(college.body().path("version").asLong()).isEqualTo(2);
    }
}
