package org.pathways.e2e.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.e2e.PlatformAccess;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/**
 * Abuse: referring is not a way in. A council worker with no relationship to a jobcentre's learner tries, through
 * the gateway, to refer that learner to a college the learner consented to. The answer is the 404 of a learner
 * that does not exist, and nothing is written: no referral for the college, none in the council's outbox.
 */
class ReferralStandingAbuseEndToEndTest {

    private static final String FAMILY_NAME = "Abuse-Standing-Check";
    private static final String JOBCENTRE = TestTokens.worker("agency-jobcentre");
    private static final String COLLEGE = TestTokens.worker("agency-college");
    private static final String STRANGER = TestTokens.worker("agency-council");

    private final HttpApi api = new HttpApi(PlatformAccess.gatewayPort());

    private static JsonNode ok(HttpApi.Response response) {
        assertThat(response.status()).as(response.body().toString()).isIn(200, 201);
        return response.body();
    }

    private static String referral(String learnerId, String opportunityId) {
        return """
                {"learnerId":"%s","opportunityId":"%s","need":"Stranger's referral","urgency":"URGENT"}
                """.formatted(learnerId, opportunityId);
    }

    private JsonNode referralsFor(String direction, String opportunityId, String token) {
        return ok(api.get("/api/referrals?direction=" + direction + "&opportunityId=" + opportunityId, token))
                .get("items");
    }

    @Test
    void aStrangerAgencyReferringALearnerItHasNoStandingForGetsA404AndWritesNothing() {
        // The jobcentre registers the learner, who consents to share a referral with the college.
        String learnerId = ok(api.post("/api/learners", JOBCENTRE, """
                {"givenName":"Dara","familyName":"%s","dateOfBirth":"1991-05-09","localityCode":"LS8",
                 "preferredLanguage":"en","confirmNotDuplicate":true}
                """.formatted(FAMILY_NAME))).get("id").asString();
        ok(api.post("/api/learners/" + learnerId + "/consents", JOBCENTRE,
                "{\"agencyId\":\"agency-college\",\"purpose\":\"REFERRAL_SHARING\",\"method\":\"WRITTEN\"}"));
        String course = ok(api.post("/api/opportunities", COLLEGE, """
                {"title":"Abuse check course %s","description":"Mornings","kind":"FORMAL_LEARNING","level":"E3",
                 "capacity":10}
                """.formatted(UUID.randomUUID()))).get("id").asString();
        ok(api.post("/api/opportunities/" + course + "/publish", COLLEGE, ""));

        // The referral-service has caught up (the registering jobcentre's own referral goes through); it is then
        // cancelled, so that the course is open to a new referral of the learner.
        HttpApi.Response own = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.post("/api/referrals", JOBCENTRE, referral(learnerId, course)),
                        r -> r.status() != 422 && r.status() != 404);
        String ownId = ok(own).get("id").asString();
        ok(api.post("/api/referrals/" + ownId + "/transitions", JOBCENTRE,
                "{\"action\":\"CANCEL\",\"version\":0}"));

        // The stranger council: told exactly what it would be told of a learner that does not exist.
        HttpApi.Response stranger = api.post("/api/referrals", STRANGER, referral(learnerId, course));
        HttpApi.Response nobody = api.post("/api/referrals", STRANGER,
                referral("lrn-" + UUID.randomUUID(), course));
        for (HttpApi.Response refused : java.util.List.of(stranger, nobody)) {
            assertThat(refused.isProblem(404, "not-found")).as(refused.body().toString()).isTrue();
            assertThat(refused.body().toString()).doesNotContain(FAMILY_NAME).doesNotContain("agency-jobcentre");
        }

        // Nothing written: the college has only the jobcentre's (cancelled) referral, the council none at all.
        JsonNode incoming = referralsFor("incoming", course, COLLEGE);
        assertThat(incoming).hasSize(1);
        assertThat(incoming.get(0).get("id").asString()).isEqualTo(ownId);
        assertThat(referralsFor("outgoing", course, STRANGER)).isEmpty();
        // And the learner's record stays closed to the stranger.
        assertThat(api.get("/api/learners/" + learnerId, STRANGER).status()).isEqualTo(404);
    }
}
