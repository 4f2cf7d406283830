package org.pathways.learner;

import org.pathways.testing.HttpApi;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.node.ObjectNode;

/** Whatever a caller sends, the answer is a 4xx problem, never a 500, and it never echoes what was sent. */
class HostileInputTest extends LearnerProfileServiceTest {

    private static final String LONG = "x".repeat(10_000);

    private static String registration(String field, Object value) {
        ObjectNode body = HttpApi.JSON.valueToTree(learnerDetails());
        body.set(field, HttpApi.JSON.valueToTree(value));
        return body.toString();
    }

    private static String registrationWithout(String field) {
        ObjectNode body = HttpApi.JSON.valueToTree(learnerDetails());
        body.remove(field);
        return body.toString();
    }

    static Stream<Arguments> hostileRegistrations() {
        return Stream.of(
                Arguments.of("operator injection in a string", registration("givenName", Map.of("$gt", ""))),
                Arguments.of("operator injection in a date", registration("dateOfBirth", Map.of("$ne", "1990-01-01"))),
                Arguments.of("an unknown field", registration("isAdmin", true)),
                Arguments.of("an attempt to choose the id", registration("id", "lrn-mine")),
                Arguments.of("an attempt to choose the agency", registration("registeringAgencyId", "agency-x")),
                Arguments.of("a 10k-character name", registration("familyName", LONG)),
                Arguments.of("a 10k-character locality", registration("localityCode", LONG)),
                Arguments.of("a date of the wrong type", registration("dateOfBirth", true)),
                Arguments.of("a number for a date", registration("dateOfBirth", 8841)),
                Arguments.of("a date that is not a date", registration("dateOfBirth", "yesterday")),
                Arguments.of("a date that never was", registration("dateOfBirth", "1994-02-30")),
                Arguments.of("a date in the future", registration("dateOfBirth", "2999-01-01")),
                Arguments.of("a date of birth a billion years ago", registration("dateOfBirth", "-999999999-01-01")),
                Arguments.of("a mistyped year of birth", registration("dateOfBirth", "1890-04-12")),
                Arguments.of("an array for a name", registration("givenName", new String[] {"a", "b"})),
                Arguments.of("a missing given name", registrationWithout("givenName")),
                Arguments.of("a missing date of birth", registrationWithout("dateOfBirth")),
                Arguments.of("a blank family name", registration("familyName", "   ")),
                Arguments.of("a control character in a name", registration("givenName", "Am\u0000ina")),
                Arguments.of("an e-mail that is not one", registration("email", "amina at example")),
                Arguments.of("a phone number that is not one", registration("phone", "call me maybe")),
                Arguments.of("a full postcode instead of a district", registration("localityCode", "LS6 2AB")),
                Arguments.of("a full postcode without its space", registration("localityCode", "ls62ab")),
                Arguments.of("a full postcode with a hyphen", registration("localityCode", "SW1A-1AA")),
                Arguments.of("a language that is not a tag", registration("preferredLanguage", "English!")),
                Arguments.of("operator injection in the goals", registration("goals", Map.of("$where", "1"))),
                Arguments.of("an unknown barrier", registration("barriers", new String[] {"WEATHER"})),
                Arguments.of("a number for a barrier", registration("barriers", new int[] {0})),
                Arguments.of("a barrier list that is a string", registration("barriers", "MONEY")),
                Arguments.of("an unknown contact method", registration("preferredContactMethod", "PIGEON")),
                Arguments.of("a string for a boolean", registration("interpreterNeeded", "yes")),
                Arguments.of("a 10k-character goal", registration("goals", LONG)),
                Arguments.of("21 interests", registration("interests",
                        java.util.stream.IntStream.range(0, 21).mapToObj(i -> "interest " + i).toList())),
                Arguments.of("an achievement with an unknown level", registration("priorAchievements",
                        java.util.List.of(Map.of("title", "GCSE", "kind", "FORMAL", "level", "L9")))),
                Arguments.of("an achievement with an unknown field", registration("priorAchievements",
                        java.util.List.of(Map.of("title", "GCSE", "kind", "FORMAL", "grade", "A")))),
                Arguments.of("an achievement without a kind", registration("priorAchievements",
                        java.util.List.of(Map.of("title", "GCSE")))),
                Arguments.of("a string for confirmNotDuplicate", registration("confirmNotDuplicate", "yes")),
                Arguments.of("not JSON", "{\"givenName\": "),
                Arguments.of("JSON that is not an object", "[1, 2, 3]"),
                Arguments.of("an empty body", ""),
                Arguments.of("null", "null"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRegistrations")
    void aHostileRegistrationIsABadRequestProblem(String what, String body) {
        HttpApi.Response response = api().post("/api/learners", TestTokens.worker(COLLEGE), body);

        assertThat(response.status()).as(what).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().toString()).doesNotContain(LONG).doesNotContain("$gt");
    }

    static Stream<Arguments> hostileConsents() {
        return Stream.of(
                Arguments.of("operator injection in the agency", "{\"agencyId\": {\"$gt\": \"\"},"
                        + " \"purpose\": \"CONTACT\", \"method\": \"VERBAL\"}"),
                Arguments.of("an agency id that is not an id", "{\"agencyId\": \"agency x; drop\","
                        + " \"purpose\": \"CONTACT\", \"method\": \"VERBAL\"}"),
                Arguments.of("an unknown purpose", "{\"agencyId\": \"agency-council\","
                        + " \"purpose\": \"EVERYTHING\", \"method\": \"VERBAL\"}"),
                Arguments.of("a 10k-character purpose", "{\"agencyId\": \"agency-council\","
                        + " \"purpose\": \"" + LONG + "\", \"method\": \"VERBAL\"}"),
                Arguments.of("a number for a purpose", "{\"agencyId\": \"agency-council\","
                        + " \"purpose\": 1, \"method\": \"VERBAL\"}"),
                Arguments.of("a missing method", "{\"agencyId\": \"agency-council\", \"purpose\": \"CONTACT\"}"),
                Arguments.of("an unknown field", "{\"agencyId\": \"agency-council\", \"purpose\": \"CONTACT\","
                        + " \"method\": \"VERBAL\", \"withdrawnAt\": null}"),
                Arguments.of("an expiry that is not a time", "{\"agencyId\": \"agency-council\","
                        + " \"purpose\": \"CONTACT\", \"method\": \"VERBAL\", \"expiresAt\": \"soon\"}"),
                Arguments.of("an expiry in the year 10000", "{\"agencyId\": \"agency-council\","
                        + " \"purpose\": \"CONTACT\", \"method\": \"VERBAL\","
                        + " \"expiresAt\": \"+10000-01-01T00:00:00Z\"}"),
                Arguments.of("an expiry at the end of java.time", "{\"agencyId\": \"agency-council\","
                        + " \"purpose\": \"CONTACT\", \"method\": \"VERBAL\","
                        + " \"expiresAt\": \"+999999999-12-31T23:59:59Z\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileConsents")
    void aHostileConsentIsABadRequestProblem(String what, String body) {
        String learnerId = registerLearner(COLLEGE);
        HttpApi.Response response = api().post("/api/learners/" + learnerId + "/consents",
                TestTokens.worker(COLLEGE), body);

        assertThat(response.status()).as(what).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().toString()).doesNotContain(LONG);
    }

    @Test
    void aHostileConsentCheckIsABadRequestProblem() {
        String learnerId = registerLearner(COLLEGE);
        String check = "/api/learners/" + learnerId + "/consents/check";
        String token = TestTokens.worker(COLLEGE);

        assertThat(api().get(check + "?agencyId=agency-council&purpose=EVERYTHING", token).status()).isEqualTo(400);
        assertThat(api().get(check + "?agencyId=agency-council", token).status()).isEqualTo(400);
        assertThat(api().get(check + "?purpose=CONTACT", token).status()).isEqualTo(400);
        assertThat(api().get(check + "?agencyId=%24gt&purpose=CONTACT", token).status()).isEqualTo(400);
        assertThat(api().get(check + "?agencyId=" + LONG.substring(0, 2000) + "&purpose=CONTACT", token).status())
                .isEqualTo(400);
    }

    @Test
    void aBodyThatIsNotJsonIsRefusedWithoutAServerError() {
        HttpApi.Response response = api().send(api().request("/api/learners", TestTokens.worker(COLLEGE))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("givenName=Amina")));
        assertThat(response.status()).isEqualTo(415);
    }

    @Test
    void strangeIdsInThePathAreSimplyNotFound() {
        String token = TestTokens.worker(COLLEGE);
        assertThat(api().get("/api/learners/%7B%22%24gt%22%3A%22%22%7D", token).status()).isEqualTo(404);
        assertThat(api().get("/api/learners/" + "x".repeat(2000), token).status()).isEqualTo(404);
        assertThat(api().delete("/api/learners/lrn-unknown/consents/cns-unknown", token).status()).isEqualTo(404);
    }
}
