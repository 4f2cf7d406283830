package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.platform.security.Role;
import org.pathways.testing.EventProducer;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ProgressionFlowsTest extends ProgressionServiceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JsonNode summary(String token) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/progression/summary"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** A flow's count as shown ("0" when there is no such flow): a number, or "<5". */
    private static String flow(JsonNode summary, String from, String to) {
        for (JsonNode flow : summary.get("referralFlows")) {
            if (flow.get("from").asString().equals(from) && flow.get("to").asString().equals(to)) {
                return flow.get("submitted").asString();
            }
        }
        return "0";
    }

    private static void submitFrom(String from, int referrals, boolean redeliverEach) {
        try (EventProducer producer = new EventProducer()) {
            for (int i = 0; i < referrals; i++) {
                ReferralSubmitted referral = new ReferralSubmitted("ref-" + UUID.randomUUID(), "lrn-" + i, "opp-1",
                        from, "agency-college", Urgency.ROUTINE, Instant.now());
                String eventId = producer.publish(referral);
                if (redeliverEach) {
                    producer.publish(eventId, referral);
                }
            }
        }
    }

    @Test
    void referralFlowsAreCountedOnceEvenWhenAnEventIsRedelivered() throws Exception {
        String from = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        String coordinator = TestTokens.token("coord-1", "partnership", Role.COORDINATOR);
        // Five referrals, each delivered twice: counted twice they would show as 10.
        submitFrom(from, 5, true);
        await().atMost(Duration.ofSeconds(20)).until(() -> flow(summary(coordinator), from, "agency-college")
                .equals("5"));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> flow(summary(coordinator), from, "agency-college").equals("5"));

        // An agency sees only flows it is party to.
        assertThat(flow(summary(TestTokens.worker(from)), from, "agency-college")).isEqualTo("5");
        assertThat(flow(summary(TestTokens.worker("agency-jobcentre")), from, "agency-college")).isEqualTo("0");
    }

    @Test
    void aFlowOfOneToFourReferralsAndSmallDayCountsAreNeverShownExactly() throws Exception {
        String from = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        String coordinator = TestTokens.token("coord-1", "partnership", Role.COORDINATOR);
        submitFrom(from, 2, false);
        await().atMost(Duration.ofSeconds(20)).until(() -> !flow(summary(coordinator), from, "agency-college")
                .equals("0"));
        JsonNode summary = summary(coordinator);
        assertThat(flow(summary, from, "agency-college")).isEqualTo("<5");
        assertThat(flow(summary(TestTokens.worker(from)), from, "agency-college")).isEqualTo("<5");
        for (JsonNode day : summary.get("eventsByDay")) {
            JsonNode count = day.get("count");
            assertThat(count.isString() ? count.asString().equals("<5")
                    : count.asLong() == 0 || count.asLong() >= 5).as(day.toString()).isTrue();
        }
    }
}
