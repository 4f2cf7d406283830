package org.pathways.e2e.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.e2e.PlatformAccess;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/**
 * Abuse: a coordinator (or anyone reading the dashboards) narrows the figures down to one small receiving agency,
 * hoping to single a person out. Two referrals reach the agency and both are answered; through the gateway, every
 * count about them reads {@code "<5"}, and the figures that would give the small count back (conversion rates, the
 * median and p90 of their response times) are withheld.
 */
class SmallCountsAbuseEndToEndTest {

    private static final String COUNCIL = TestTokens.worker("agency-council");
    private static final String COORDINATOR = TestTokens.token("small-counts-coordinator", "partnership",
            Role.COORDINATOR);

    private final HttpApi api = new HttpApi(PlatformAccess.gatewayPort());

    private static JsonNode ok(HttpApi.Response response) {
        assertThat(response.status()).as(response.body().toString()).isIn(200, 201);
        return response.body();
    }

    @Test
    void figuresAboutOneToFourReferralsNeverShowTheExactCountNorWhatWouldGiveItBack() throws Exception {
        String smallAgency = "agency-small-" + UUID.randomUUID().toString().substring(0, 8);
        String receiver = TestTokens.worker(smallAgency);
        String course = ok(api.post("/api/opportunities", receiver, """
                {"title":"Small counts check %s","description":"Evenings","kind":"FORMAL_LEARNING","level":"E3",
                 "capacity":10}
                """.formatted(smallAgency))).get("id").asString();
        ok(api.post("/api/opportunities/" + course + "/publish", receiver, ""));

        List<String> referrals = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String learnerId = ok(api.post("/api/learners", COUNCIL, """
                    {"givenName":"Small","familyName":"Count-%s-%d","dateOfBirth":"1990-02-0%d","localityCode":"LS9",
                     "preferredLanguage":"en","confirmNotDuplicate":true}
                    """.formatted(smallAgency, i, i + 1))).get("id").asString();
            ok(api.post("/api/learners/" + learnerId + "/consents", COUNCIL,
                    "{\"agencyId\":\"" + smallAgency + "\",\"purpose\":\"REFERRAL_SHARING\",\"method\":\"WRITTEN\"}"));
            String body = """
                    {"learnerId":"%s","opportunityId":"%s","need":"Small counts check","urgency":"ROUTINE"}
                    """.formatted(learnerId, course);
            HttpApi.Response submitted = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> api.post("/api/referrals", COUNCIL, body),
                            r -> r.status() != 422 && r.status() != 404);
            referrals.add(ok(submitted).get("id").asString());
        }
        for (String referralId : referrals) {
            ok(api.post("/api/referrals/" + referralId + "/transitions", receiver,
                    "{\"action\":\"RECEIVE\",\"version\":0}"));
        }

        // The figures have caught up once both acknowledgements are counted (a count that is not 0 any more).
        JsonNode times = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> agencyTimes(smallAgency), agency -> agency != null
                        && !agency.get("acknowledge").get("count").isNumber());
        assertThat(times.get("acknowledge").get("count").asString()).isEqualTo("<5");
        assertThat(times.get("acknowledge").get("medianSeconds").isNull()).isTrue();
        assertThat(times.get("acknowledge").get("p90Seconds").isNull()).isTrue();

        JsonNode funnel = ok(api.get("/api/progression/funnel?receivingAgencyId=" + smallAgency, COORDINATOR));
        JsonNode total = funnel.get("total");
        assertThat(total.get("submitted").asString()).isEqualTo("<5");
        assertThat(total.get("received").asString()).isEqualTo("<5");
        assertThat(total.get("conversion").get("submittedToReceived").isNull())
                .as("a rate between two suppressed counts would give them back").isTrue();
        for (JsonNode period : funnel.get("periods")) {
            JsonNode submitted = period.get("submitted");
            assertThat(submitted.isNumber() ? submitted.asInt() : -1)
                    .as("a period's count is 0 or \"<5\", never 1 to 4: %s", period).isIn(-1, 0);
        }
        // The receiving agency's own worker is told no more than the coordinator.
        JsonNode own = ok(api.get("/api/progression/funnel?receivingAgencyId=" + smallAgency, receiver));
        assertThat(own.get("total").get("submitted").asString()).isEqualTo("<5");
        assertThat(funnel.toString()).doesNotContain("Count-" + smallAgency);
    }

    private JsonNode agencyTimes(String agencyId) {
        JsonNode report = ok(api.get("/api/progression/response-times?receivingAgencyId=" + agencyId,
                COORDINATOR));
        for (JsonNode agency : report.get("agencies")) {
            if (agencyId.equals(agency.get("receivingAgencyId").asString())) {
                return agency;
            }
        }
        return null;
    }
}
