package org.pathways.e2e.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.e2e.PlatformAccess;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Abuse: referring is not a way in. A council worker with no relationship to a jobcentre's learner tries, through
 * the gateway, to refer that learner to a college the learner consented to. The answer is the 404 of a learner
 * that does not exist, and nothing is written: no referral for the college, none in the council's outbox.
 */
class ReferralStandingAbuseEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String FAMILY_NAME = "Abuse-Standing-Check";
    private static final String JOBCENTRE = TestTokens.worker("agency-jobcentre");
    private static final String COLLEGE = TestTokens.worker("agency-college");
    private static final String STRANGER = TestTokens.worker("agency-council");

    private final int gatewayPort = PlatformAccess.gatewayPort();

    private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + gatewayPort + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
        return JSON.readTree(response.body());
    }

    private static String referral(String learnerId, String opportunityId) {
        return """
                {"learnerId":"%s","opportunityId":"%s","need":"Stranger's referral","urgency":"URGENT"}
                """.formatted(learnerId, opportunityId);
    }

    private JsonNode referralsFor(String direction, String opportunityId, String token) throws Exception {
        return ok(call("GET", "/api/referrals?direction=" + direction + "&opportunityId=" + opportunityId, token,
                null)).get("items");
    }

    @Test
    void aStrangerAgencyReferringALearnerItHasNoStandingForGetsA404AndWritesNothing() throws Exception {
        // The jobcentre registers the learner, who consents to share a referral with the college.
        String learnerId = ok(call("POST", "/api/learners", JOBCENTRE, """
                {"givenName":"Dara","familyName":"%s","dateOfBirth":"1991-05-09","localityCode":"LS8",
                 "preferredLanguage":"en","confirmNotDuplicate":true}
                """.formatted(FAMILY_NAME))).get("id").asString();
        ok(call("POST", "/api/learners/" + learnerId + "/consents", JOBCENTRE,
                "{\"agencyId\":\"agency-college\",\"purpose\":\"REFERRAL_SHARING\",\"method\":\"WRITTEN\"}"));
        String course = ok(call("POST", "/api/opportunities", COLLEGE, """
                {"title":"Abuse check course %s","description":"Mornings","kind":"FORMAL_LEARNING","level":"E3",
                 "capacity":10}
                """.formatted(UUID.randomUUID()))).get("id").asString();
        ok(call("POST", "/api/opportunities/" + course + "/publish", COLLEGE, null));

        // The referral-service has caught up (the registering jobcentre's own referral goes through); it is then
        // cancelled, so that the course is open to a new referral of the learner.
        HttpResponse<String> own = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> call("POST", "/api/referrals", JOBCENTRE, referral(learnerId, course)),
                        r -> r.statusCode() != 422 && r.statusCode() != 404);
        String ownId = ok(own).get("id").asString();
        ok(call("POST", "/api/referrals/" + ownId + "/transitions", JOBCENTRE,
                "{\"action\":\"CANCEL\",\"version\":0}"));

        // The stranger council: told exactly what it would be told of a learner that does not exist.
        HttpResponse<String> stranger = call("POST", "/api/referrals", STRANGER, referral(learnerId, course));
        HttpResponse<String> nobody = call("POST", "/api/referrals", STRANGER,
                referral("lrn-" + UUID.randomUUID(), course));
        for (HttpResponse<String> refused : java.util.List.of(stranger, nobody)) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(404);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(JSON.readTree(refused.body()).get("type").asString()).isEqualTo("urn:pathways:problem:not-found");
            assertThat(refused.body()).doesNotContain(FAMILY_NAME).doesNotContain("agency-jobcentre");
        }

        // Nothing written: the college has only the jobcentre's (cancelled) referral, the council none at all.
        JsonNode incoming = referralsFor("incoming", course, COLLEGE);
        assertThat(incoming).hasSize(1);
        assertThat(incoming.get(0).get("id").asString()).isEqualTo(ownId);
        assertThat(referralsFor("outgoing", course, STRANGER)).isEmpty();
        // And the learner's record stays closed to the stranger.
        assertThat(call("GET", "/api/learners/" + learnerId, STRANGER, null).statusCode()).isEqualTo(404);
    }
}
