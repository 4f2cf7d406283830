package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who sees what, through the real gateway: the referring agency (which registered the learner), the receiving
 * agency (which the learner consented to), an agency with no part in it, and a partnership coordinator. Every cell
 * is either allowed or refused as designed, and no refusal leaks the learner's data.
 */
class AgencyIsolationEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String FAMILY_NAME = "Kowalczyk-Isolated";
    private static final String EMAIL = "isolation.check@example.org";
    private static final String NEED = "Isolation check: needs evening classes";

    private static final String COUNCIL = TestTokens.worker("agency-council");
    private static final String COLLEGE = TestTokens.worker("agency-college");
    private static final String OUTSIDER = TestTokens.worker("agency-jobcentre");
    private static final String COORDINATOR = TestTokens.token("coordinator-1", "partnership", Role.COORDINATOR);

    private static RunningPlatform platform;
    private static String learnerId;
    private static String opportunityId;
    private static String referralId;

    @BeforeAll
    static void aReferralFromTheCouncilToTheCollege() throws Exception {
        platform = RunningPlatform.get();
        learnerId = JSON.readTree(ok(call("POST", "/api/learners", COUNCIL, """
                {"givenName":"Zofia","familyName":"%s","dateOfBirth":"1988-07-02","email":"%s",
                 "localityCode":"LS11","preferredLanguage":"pl","confirmNotDuplicate":true}
                """.formatted(FAMILY_NAME, EMAIL)))).get("id").asString();
        ok(call("POST", "/api/learners/" + learnerId + "/consents", COUNCIL,
                "{\"agencyId\":\"agency-college\",\"purpose\":\"REFERRAL_SHARING\",\"method\":\"WRITTEN\"}"));
        opportunityId = JSON.readTree(ok(call("POST", "/api/opportunities", COLLEGE, """
                {"title":"Evening ESOL Entry 3","description":"Tuesdays","kind":"FORMAL_LEARNING","level":"E3",
                 "capacity":12}
                """))).get("id").asString();
        ok(call("POST", "/api/opportunities/" + opportunityId + "/publish", COLLEGE, null));
        String body = "{\"learnerId\":\"%s\",\"opportunityId\":\"%s\",\"need\":\"%s\",\"urgency\":\"ROUTINE\"}"
                .formatted(learnerId, opportunityId, NEED);
        referralId = JSON.readTree(ok(await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> call("POST", "/api/referrals", COUNCIL, body), r -> r.statusCode() != 422 && r.statusCode() != 404)))
                .get("id").asString();
    }

    private static HttpResponse<String> call(String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + platform.gatewayPort + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
        return response.body();
    }

    /** One cell of the matrix: the status a caller gets, and whether the body may mention the learner. */
    private record Cell(String label, String method, String path, String token, int status) {
    }

    @Test
    void everyRoleSeesOnlyWhatItsAgencyMay() throws Exception {
        String learner = "/api/learners/" + learnerId;
        String referral = "/api/referrals/" + referralId;
        List<Cell> cells = List.of(
                new Cell("registering agency reads the learner", "GET", learner, COUNCIL, 200),
                new Cell("consented agency reads the learner", "GET", learner, COLLEGE, 200),
                new Cell("outsider reads the learner", "GET", learner, OUTSIDER, 404),
                new Cell("coordinator reads the learner", "GET", learner, COORDINATOR, 404),
                new Cell("outsider reads the learner's audit", "GET", learner + "/audit", OUTSIDER, 404),
                new Cell("referrer reads the referral", "GET", referral, COUNCIL, 200),
                new Cell("receiver reads the referral", "GET", referral, COLLEGE, 200),
                new Cell("outsider reads the referral", "GET", referral, OUTSIDER, 404),
                new Cell("coordinator reads referral metadata", "GET", referral, COORDINATOR, 200),
                new Cell("outsider reads the notes", "GET", referral + "/notes", OUTSIDER, 404),
                new Cell("outsider accepts the referral", "POST", referral + "/transitions", OUTSIDER, 404),
                new Cell("outsider withdraws the college's course", "POST",
                        "/api/opportunities/" + opportunityId + "/withdraw", OUTSIDER, 403));
        List<String> wrong = new ArrayList<>();
        for (Cell cell : cells) {
            String body = cell.method().equals("POST") ? "{\"action\":\"ACCEPT\",\"version\":0}" : null;
            HttpResponse<String> response = call(cell.method(), cell.path(), cell.token(), body);
            if (response.statusCode() != cell.status()) {
                wrong.add(cell.label() + ": " + response.statusCode() + " " + response.body());
            }
            if (response.statusCode() >= 400 && (response.body().contains(FAMILY_NAME)
                    || response.body().contains(EMAIL) || response.body().contains(NEED))) {
                wrong.add(cell.label() + ": the refusal leaks personal data");
            }
        }
        assertThat(wrong).isEmpty();

        // The coordinator's view of the referral names no learner and carries no free text.
        String coordinatorView = call("GET", referral, COORDINATOR, null).body();
        assertThat(coordinatorView).doesNotContain(learnerId, NEED, FAMILY_NAME);
    }

    @Test
    void listsAndFeedsHoldOnlyTheCallersOwnBusiness() throws Exception {
        assertThat(call("GET", "/api/referrals?direction=incoming", COLLEGE, null).body()).contains(referralId);
        assertThat(call("GET", "/api/referrals?direction=outgoing", COUNCIL, null).body()).contains(referralId);
        assertThat(call("GET", "/api/referrals?direction=incoming", OUTSIDER, null).body()).doesNotContain(referralId);
        assertThat(call("GET", "/api/referrals?direction=outgoing", OUTSIDER, null).body()).doesNotContain(referralId);

        await().atMost(Duration.ofSeconds(20)).until(() ->
                call("GET", "/api/feed", COLLEGE, null).body().contains(referralId));
        assertThat(call("GET", "/api/feed", OUTSIDER, null).body()).doesNotContain(referralId);

        await().atMost(Duration.ofSeconds(20)).until(() -> call("GET", "/api/progression/summary", COORDINATOR, null)
                .body().contains("agency-council"));
        assertThat(call("GET", "/api/progression/summary", OUTSIDER, null).body()).doesNotContain("agency-council");
    }

    @Test
    void noTokenNoAnswerAnywhere() throws Exception {
        for (String path : List.of("/api/learners/" + learnerId, "/api/referrals/" + referralId,
                "/api/referrals?direction=incoming", "/api/opportunities/" + opportunityId, "/api/subscriptions",
                "/api/feed", "/api/notifications", "/api/progression/summary")) {
            HttpResponse<String> response = call("GET", path, null, null);
            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(response.body()).as(path).doesNotContain(FAMILY_NAME, EMAIL, NEED);
        }
        assertThat(call("GET", "/api/referrals/" + referralId, TestTokens.expired("agency-council"), null)
                .statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/referrals/" + referralId, TestTokens.forged("agency-council"), null)
                .statusCode()).isEqualTo(401);
    }
}
