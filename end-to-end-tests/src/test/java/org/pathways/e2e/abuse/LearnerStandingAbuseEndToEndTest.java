package org.pathways.e2e.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.e2e.PlatformAccess;
import org.pathways.events.referral.ReferralCancelled;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.testing.EventProducer;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A hostile agency probing the learner service's trust boundaries through the real gateway: what standing a referral
 * gives (only to the receiver, only while open), links to records it may not see, what a duplicate warning tells it,
 * the link request that replaces naming another agency's record, milestones without an outcome consent, and erasure
 * asked twice. Each run uses agencies of its own, so nothing else on the shared platform interferes.
 *
 * <p>The referral is announced on the referrals topic as the referral-service would announce it (that service
 * refuses a referral by an agency without standing; this proves the learner service gives such a referrer nothing
 * even if one is announced).
 */
class LearnerStandingAbuseEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration EVENTS = Duration.ofSeconds(30);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static final String JOBCENTRE = "agency-abuse-jobcentre-" + RUN;
    private static final String COUNCIL = "agency-abuse-council-" + RUN;
    private static final String COLLEGE = "agency-abuse-college-" + RUN;

    private static int gatewayPort;
    private static EventProducer referralService;

    @BeforeAll
    static void platform() {
        gatewayPort = PlatformAccess.gatewayPort();
        referralService = new EventProducer();
    }

    @AfterAll
    static void close() {
        referralService.close();
    }

    private record Answer(int status, String body) {

        JsonNode json() {
            return JSON.readTree(body);
        }

        String text(String field) {
            return json().path(field).asString();
        }
    }

    private static Answer call(String method, String path, String agency, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + gatewayPort + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TestTokens.worker(agency))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    private static String person(String given, String family, String born, boolean confirm) {
        return """
                {"givenName":"%s","familyName":"%s","dateOfBirth":"%s","email":"%s@example.org",
                 "localityCode":"LS9","preferredLanguage":"en","goals":"Goal %s","confirmNotDuplicate":%s}
                """.formatted(given, family, born, family.toLowerCase() + "-" + RUN, RUN, confirm);
    }

    private static String register(String agency, String given, String family, String born) throws Exception {
        Answer registered = call("POST", "/api/learners", agency, person(given, family, born, true));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        return registered.text("id");
    }

    private static String bornOn() {
        return java.time.LocalDate.of(1931, 1, 1)
                .plusDays(java.util.concurrent.ThreadLocalRandom.current().nextInt(0, 365 * 60)).toString();
    }

    @Test
    void aReferrerWithoutStandingGainsNothingAndTheReceiverSeesOnlyWhileTheReferralIsOpen() throws Exception {
        String learnerId = register(JOBCENTRE, "Rosalind", "Abuse" + RUN, bornOn());
        String referralId = "ref-abuse-" + RUN;

        referralService.publish(new ReferralSubmitted(referralId, learnerId, "opp-abuse", COUNCIL, COLLEGE,
                Urgency.ROUTINE, Instant.now()));
        await().atMost(EVENTS).pollInterval(Duration.ofMillis(200)).until(() ->
                call("GET", "/api/learners/" + learnerId, COLLEGE, null).status() == 200);

        for (String path : List.of("/api/learners/" + learnerId, "/api/learners/" + learnerId + "/milestones",
                "/api/learners/" + learnerId + "/consents/check?agencyId=" + COUNCIL + "&purpose=CONTACT")) {
            Answer refused = call("GET", path, COUNCIL, null);
            assertThat(refused.status()).as("the referrer: " + path).isEqualTo(404);
            assertThat(refused.body()).doesNotContain("Rosalind", "Goal " + RUN);
        }
        assertThat(call("PATCH", "/api/learners/" + learnerId, COUNCIL, "{\"goals\":\"Council's\",\"version\":0}")
                .status()).isEqualTo(404);
        assertThat(call("PATCH", "/api/learners/" + learnerId, COLLEGE, "{\"goals\":\"College's\",\"version\":0}")
                .status()).as("the receiver reads, never changes").isEqualTo(403);
        assertThat(call("GET", "/api/learners/" + learnerId + "/milestones", COLLEGE, null).status())
                .as("a referral is not an outcome-sharing consent").isEqualTo(404);

        referralService.publish(new ReferralCancelled(referralId, learnerId, "opp-abuse", COUNCIL, COLLEGE,
                ReferralStatus.CANCELLED, null, COUNCIL, Instant.now().plusSeconds(1)));
        await().atMost(EVENTS).pollInterval(Duration.ofMillis(200)).until(() ->
                call("GET", "/api/learners/" + learnerId, COLLEGE, null).status() == 404);
        assertThat(call("GET", "/api/learners/" + learnerId, JOBCENTRE, null).text("goals"))
                .isEqualTo("Goal " + RUN);
    }

    @Test
    void aDuplicateWarningNamesNothingALinkToAnUnseenRecordIsRefusedAndALinkRequestRevealsNothing()
            throws Exception {
        String born = bornOn();
        String family = "Duplicated" + RUN;
        String theirs = register(JOBCENTRE, "Evangeline", family, born);

        Answer warning = call("POST", "/api/learners", COLLEGE, person("Evangeline", family, born, false));
        assertThat(warning.status()).isEqualTo(409);
        assertThat(warning.body()).as("no id, name, date of birth or agency of the job centre's record")
                .doesNotContain(theirs, "Goal " + RUN, JOBCENTRE, "\"" + born + "\"");
        String token = warning.json().path("candidates").get(0).path("matchToken").asString();
        assertThat(token).hasSize(43);

        String mine = register(COLLEGE, "Evangeline", family, born);
        Answer link = call("POST", "/api/learners/" + mine + "/links", COLLEGE,
                "{\"otherLearnerId\":\"" + theirs + "\"}");
        assertThat(link.status()).as("a link into a record the college may not see").isEqualTo(404);
        assertThat(call("GET", "/api/learners/" + theirs, JOBCENTRE, null).json().path("otherLinkedRecords").asInt())
                .as("nothing was written").isZero();

        Answer asked = call("POST", "/api/learners/" + mine + "/link-requests", COLLEGE,
                "{\"matchToken\":\"" + token + "\"}");
        assertThat(asked.status()).as(asked.body()).isEqualTo(201);
        assertThat(call("POST", "/api/learners/link-requests/" + asked.text("id") + "/accept", COUNCIL, null)
                .status()).as("an outsider answering").isEqualTo(404);
        JsonNode incoming = call("GET", "/api/learners/link-requests?direction=incoming", JOBCENTRE, null).json()
                .get(0);
        assertThat(incoming.path("learnerId").asString()).isEqualTo(theirs);
        assertThat(incoming.path("requestingAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(call("POST", "/api/learners/link-requests/" + incoming.path("id").asString() + "/accept",
                JOBCENTRE, null).text("status")).isEqualTo("ACCEPTED");

        Answer collegeView = call("GET", "/api/learners/" + mine, COLLEGE, null);
        assertThat(collegeView.json().path("otherLinkedRecords").asInt()).isEqualTo(1);
        assertThat(collegeView.body()).doesNotContain(theirs);
        assertThat(call("GET", "/api/learners/link-requests?direction=outgoing", COLLEGE, null).body())
                .contains("ACCEPTED").doesNotContain(theirs, JOBCENTRE);
        assertThat(call("GET", "/api/learners/" + theirs, COLLEGE, null).status()).as("accepting opens nothing")
                .isEqualTo(404);
    }

    @Test
    void milestonesFollowTheOutcomeConsentAndErasureCanBeAskedAgain() throws Exception {
        String learnerId = register(JOBCENTRE, "Cordelia", "Milestoned" + RUN, bornOn());
        call("POST", "/api/learners/" + learnerId + "/milestones", JOBCENTRE,
                "{\"kind\":\"FIRST_CONTACT\",\"occurredOn\":\"2026-01-05\"}");
        call("POST", "/api/learners/" + learnerId + "/consents", JOBCENTRE,
                "{\"agencyId\":\"" + COLLEGE + "\",\"purpose\":\"CONTACT\",\"method\":\"VERBAL\"}");
        assertThat(call("GET", "/api/learners/" + learnerId, COLLEGE, null).status()).isEqualTo(200);
        assertThat(call("GET", "/api/learners/" + learnerId + "/milestones", COLLEGE, null).status()).isEqualTo(404);
        call("POST", "/api/learners/" + learnerId + "/consents", JOBCENTRE,
                "{\"agencyId\":\"" + COLLEGE + "\",\"purpose\":\"OUTCOME_SHARING\",\"method\":\"WRITTEN\"}");
        assertThat(call("GET", "/api/learners/" + learnerId + "/milestones", COLLEGE, null).body())
                .contains("FIRST_CONTACT");

        assertThat(call("DELETE", "/api/learners/" + learnerId, COUNCIL, null).status()).isEqualTo(404);
        assertThat(call("DELETE", "/api/learners/" + learnerId, JOBCENTRE, null).status()).isEqualTo(200);
        assertThat(call("DELETE", "/api/learners/" + learnerId, JOBCENTRE, null).status()).as("again: done")
                .isEqualTo(204);
        assertThat(call("GET", "/api/learners/" + learnerId + "/milestones", COLLEGE, null).status()).isEqualTo(404);
    }
}
