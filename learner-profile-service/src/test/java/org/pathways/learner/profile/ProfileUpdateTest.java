package org.pathways.learner.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LocalityCode;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.node.ObjectNode;

class ProfileUpdateTest extends LearnerProfileServiceTest {

    private static Map<String, Object> fullProfile() {
        Map<String, Object> details = learnerDetails();
        details.put("preferredContactMethod", "TEXT");
        details.put("interpreterNeeded", true);
        details.put("accessibilityNeeds", "Step-free access.\r\nLarge print handouts.\tThanks");
        details.put("barriers", List.of("CHILDCARE", "TRANSPORT", "CONFIDENCE"));
        details.put("goals", "I want to get back into work in a kitchen and to help my kids with homework.");
        details.put("interests", List.of("cooking", " gardening ", "cooking"));
        details.put("priorAchievements", List.of(
                Map.of("title", "Ran the community food bank rota", "kind", "INFORMAL"),
                Map.of("title", "Food hygiene workshop", "kind", "NON_FORMAL", "level", "L1"),
                Map.of("title", "ESOL Entry 2", "kind", "FORMAL", "level", "E2", "achievedOn", "2024-07-01",
                        "accredited", true)));
        return details;
    }

    private HttpApi.Response registerFull() {
        HttpApi.Response response = api().post("/api/learners", TestTokens.worker(COLLEGE), fullProfile());
        assertThat(response.status()).isEqualTo(201);
        return response;
    }

    @Test
    void aFullProfileIsKeptAndShown() {
        HttpApi.Response response = registerFull();

        assertThat(response.text("preferredContactMethod")).isEqualTo("TEXT");
        assertThat(response.body().path("interpreterNeeded").asBoolean()).isTrue();
        assertThat(response.text("accessibilityNeeds")).contains("\n");
        assertThat(response.body().path("barriers").valueStream().map(n -> n.asString()).toList())
                .containsExactlyInAnyOrder("CHILDCARE", "TRANSPORT", "CONFIDENCE");
        assertThat(response.body().path("interests").valueStream().map(n -> n.asString()).toList())
                .as("trimmed, repeats dropped").containsExactly("cooking", "gardening");
        assertThat(response.body().path("priorAchievements")).hasSize(3);
        assertThat(response.body().path("priorAchievements").get(2).path("level").asString()).isEqualTo("E2");
        assertThat(response.body().path("priorAchievements").get(2).path("accredited").asBoolean()).isTrue();

        HttpApi.Response read = api().get("/api/learners/" + response.text("id"), TestTokens.worker(COLLEGE));
        assertThat(read.text("goals")).startsWith("I want to get back into work");
        assertThat(read.body().path("priorAchievements").get(0).path("kind").asString()).isEqualTo("INFORMAL");
    }

    @Test
    void putReplacesTheProfileWhenIfMatchNamesTheCurrentVersion() {
        String id = registerFull().text("id");
        Map<String, Object> changed = fullProfile();
        changed.remove("confirmNotDuplicate");
        changed.put("familyName", "Okafor-Bello");
        changed.remove("goals");
        changed.put("barriers", List.of("MONEY"));

        HttpApi.Response response = send("PUT", "/api/learners/" + id, TestTokens.worker(COLLEGE), changed,
                "If-Match", "\"0\"");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text("familyName")).isEqualTo("Okafor-Bello");
        assertThat(response.body().path("goals").isNull()).as("a field left out of a PUT is cleared").isTrue();
        assertThat(response.body().path("barriers").get(0).asString()).isEqualTo("MONEY");
        assertThat(response.body().path("version").asLong()).isEqualTo(1);
    }

    @Test
    void theETagOfAReadIsTheIfMatchOfTheNextWrite() throws Exception {
        String id = registerFull().text("id");
        java.net.http.HttpResponse<String> read = java.net.http.HttpClient.newHttpClient().send(
                api().request("/api/learners/" + id, TestTokens.worker(COLLEGE)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        String etag = read.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).isEqualTo("\"0\"");

        HttpApi.Response written = send("PATCH", "/api/learners/" + id, TestTokens.worker(COLLEGE),
                Map.of("goals", "Open a café"), "If-Match", etag);

        assertThat(written.status()).isEqualTo(200);
        assertThat(written.text("goals")).isEqualTo("Open a café");
        assertThat(send("PATCH", "/api/learners/" + id, TestTokens.worker(COLLEGE), Map.of("goals", "Again"),
                "If-Match", etag).isProblem(409, "stale-version")).isTrue();
    }

    @Test
    void aStaleUpdateIsAConflictAndChangesNothing() {
        String id = registerFull().text("id");
        Map<String, Object> first = fullProfile();
        first.remove("confirmNotDuplicate");
        first.put("version", 0);
        first.put("preferredName", "Ami");
        assertThat(send("PUT", "/api/learners/" + id, TestTokens.worker(COLLEGE), first).status()).isEqualTo(200);

        Map<String, Object> stale = Map.of("goals", "Overwrite from an old screen", "version", 0);
        HttpApi.Response response = send("PATCH", "/api/learners/" + id, TestTokens.worker(COLLEGE), stale);
        HttpApi.Response staleIfMatch = send("PATCH", "/api/learners/" + id, TestTokens.worker(COLLEGE),
                Map.of("goals", "Overwrite"), "If-Match", "\"0\"");

        assertThat(response.isProblem(409, "stale-version")).isTrue();
        assertThat(staleIfMatch.isProblem(409, "stale-version")).isTrue();
        HttpApi.Response now = api().get("/api/learners/" + id, TestTokens.worker(COLLEGE));
        assertThat(now.text("preferredName")).isEqualTo("Ami");
        assertThat(now.text("goals")).startsWith("I want to get back");
        assertThat(now.body().path("version").asLong()).isEqualTo(1);
    }

    @Test
    void patchChangesOnlyTheFieldsSent() {
        String id = registerFull().text("id");

        HttpApi.Response response = send("PATCH", "/api/learners/" + id, TestTokens.worker(COLLEGE),
                Map.of("interpreterNeeded", false, "localityCode", "ls7", "version", 0));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().path("interpreterNeeded").asBoolean()).isFalse();
        assertThat(response.text("localityCode")).isEqualTo("LS7");
        assertThat(response.text("familyName")).isEqualTo("Okafor");
        assertThat(response.body().path("priorAchievements")).hasSize(3);
    }

    /**
     * Registration, replacement and patch share their field rules (ProfileFields); each broken rule is still named
     * by the field as sent, once per rule broken, with the rule's own message, as the web app shows them.
     */
    @Test
    void eachBrokenFieldRuleIsNamedByTheFieldAsSent() {
        Map<String, Object> bad = fullProfile();
        bad.put("givenName", "A".repeat(101) + "\u0007");
        bad.put("preferredName", "Mi\u0000na");
        bad.put("email", "not-an-address");
        bad.put("phone", "call me");
        bad.put("localityCode", "LS61AA");   // a full postcode without its space
        bad.put("preferredLanguage", "English");
        bad.put("goals", "x".repeat(2001));
        bad.put("dateOfBirth", "2999-01-01");
        List<String> expected = List.of(
                "dateOfBirth: must be a past date",
                "email: must be a well-formed email address",
                "givenName: must match \"[^\\p{Cntrl}]*\"",
                "givenName: size must be between 0 and 100",
                "goals: size must be between 0 and 2000",
                "localityCode: " + LocalityCode.MESSAGE,
                "phone: must match \"\\+?[0-9][0-9 ()-]{5,19}\"",
                "preferredLanguage: must match \"[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}\"",
                "preferredName: must match \"[^\\p{Cntrl}]*\"");
        String token = TestTokens.worker(COLLEGE);
        assertThat(errors(api().post("/api/learners", token, bad))).isEqualTo(expected);

        String id = registerFull().text("id");
        bad.remove("confirmNotDuplicate");
        bad.put("version", 0);
        assertThat(errors(send("PUT", "/api/learners/" + id, token, bad))).isEqualTo(expected);

        Map<String, Object> patch = new java.util.LinkedHashMap<>(bad);
        patch.put("givenName", " ");
        patch.put("familyName", "");
        assertThat(errors(send("PATCH", "/api/learners/" + id, token, patch))).isEqualTo(List.of(
                "dateOfBirth: must be a past date",
                "email: must be a well-formed email address",
                "familyName: must match \"\\p{Zs}*[^\\p{Cntrl}\\s][^\\p{Cntrl}]*\"",
                "familyName: size must be between 1 and 100",
                "givenName: must match \"\\p{Zs}*[^\\p{Cntrl}\\s][^\\p{Cntrl}]*\"",
                "goals: size must be between 0 and 2000",
                "localityCode: " + LocalityCode.MESSAGE,
                "phone: must match \"\\+?[0-9][0-9 ()-]{5,19}\"",
                "preferredLanguage: must match \"[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}\"",
                "preferredName: must match \"[^\\p{Cntrl}]*\""));
        assertThat(get("/api/learners/" + id, token).body().path("givenName").asString()).isEqualTo("Amina");
    }

    /** The {@code errors} of a validation problem as "field: message", sorted. */
    private static List<String> errors(HttpApi.Response response) {
        assertThat(response.isProblem(400, "validation")).isTrue();
        return response.body().path("errors").valueStream()
                .map(error -> error.path("field").asString() + ": " + error.path("message").asString())
                .sorted().toList();
    }

    @Test
    void anUpdateWithoutAVersionIsRefused() {
        String id = registerFull().text("id");
        HttpApi.Response response = send("PATCH", "/api/learners/" + id, TestTokens.worker(COLLEGE),
                Map.of("goals", "A new goal"));
        assertThat(response.isProblem(428, "version-required")).isTrue();
    }

    @Test
    void ifMatchAndABodyVersionThatDisagreeOrAMalformedIfMatchAreBadRequests() {
        String id = registerFull().text("id");
        String token = TestTokens.worker(COLLEGE);
        assertThat(send("PATCH", "/api/learners/" + id, token, Map.of("goals", "x", "version", 0), "If-Match", "\"1\"")
                .isProblem(400, "validation")).isTrue();
        assertThat(send("PATCH", "/api/learners/" + id, token, Map.of("goals", "x"), "If-Match", "*; drop")
                .isProblem(400, "validation")).isTrue();
    }

    @Test
    void domainRulesAreUnprocessableProblems() {
        String id = registerFull().text("id");
        String token = TestTokens.worker(COLLEGE);
        Map<String, Object> noPhone = fullProfile();
        noPhone.remove("confirmNotDuplicate");
        noPhone.remove("phone");
        noPhone.put("version", 0);
        assertThat(send("PUT", "/api/learners/" + id, token, noPhone).isProblem(422, "contact-method-needs-phone"))
                .isTrue();

        HttpApi.Response accreditedInformal = send("PATCH", "/api/learners/" + id, token, Map.of("version", 0,
                "priorAchievements", List.of(Map.of("title", "Cooking", "kind", "INFORMAL", "accredited", true))));
        assertThat(accreditedInformal.isProblem(422, "accredited-needs-formal-learning")).isTrue();
    }

    @Test
    void anotherAgencyCannotUpdateAProfileItCannotSee() {
        String id = registerFull().text("id");
        HttpApi.Response response = send("PATCH", "/api/learners/" + id, TestTokens.worker(COUNCIL),
                Map.of("goals", "Not theirs", "version", 0));
        assertThat(response.isProblem(404, "not-found")).isTrue();
    }

    @Test
    void hostileUpdatesAreBadRequests() {
        String id = registerFull().text("id");
        String token = TestTokens.worker(COLLEGE);
        ObjectNode injected = HttpApi.JSON.createObjectNode();
        injected.set("goals", HttpApi.JSON.readTree("{\"$gt\": \"\"}"));
        injected.put("version", 0);
        for (String body : List.of(injected.toString(),
                "{\"version\": 0, \"barriers\": [\"EVERYTHING\"]}",
                "{\"version\": 0, \"barriers\": [0]}",
                "{\"version\": 0, \"barriers\": [null]}",
                "{\"version\": 0, \"interests\": [\"" + "x".repeat(101) + "\"]}",
                "{\"version\": 0, \"goals\": \"" + "x".repeat(2001) + "\"}",
                "{\"version\": 0, \"goals\": \"tab\\u0007bell\"}",
                "{\"version\": 0, \"priorAchievements\": [{\"title\": \"x\", \"kind\": \"FORMAL\", \"level\": \"L9\"}]}",
                "{\"version\": 0, \"priorAchievements\": [{\"title\": \"x\", \"kind\": \"FORMAL\", \"grade\": \"A\"}]}",
                "{\"version\": 0, \"priorAchievements\": [{\"kind\": \"FORMAL\"}]}",
                "{\"version\": 0, \"interpreterNeeded\": \"yes\"}",
                "{\"version\": -1, \"goals\": \"x\"}",
                "{\"version\": 1.5, \"goals\": \"x\"}",
                "{\"version\": 0, \"givenName\": \"   \"}",
                "{\"version\": 0, \"registeringAgencyId\": \"agency-x\"}")) {
            HttpApi.Response response = send("PATCH", "/api/learners/" + id, token, body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
        HttpApi.Response put = send("PUT", "/api/learners/" + id, token, "{\"version\": 0}");
        assertThat(put.status()).as("a PUT without the required fields").isEqualTo(400);
    }
}
