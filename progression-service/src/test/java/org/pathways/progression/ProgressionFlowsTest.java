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

    private static long flow(JsonNode summary, String from, String to) {
        for (JsonNode flow : summary.get("referralFlows")) {
            if (flow.get("from").asString().equals(from) && flow.get("to").asString().equals(to)) {
                return flow.get("submitted").asLong();
            }
        }
        return 0;
    }

    @Test
    void referralFlowsAreCountedOnceEvenWhenAnEventIsRedelivered() throws Exception {
        String from = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        String coordinator = TestTokens.token("coord-1", "partnership", Role.COORDINATOR);
        try (EventProducer producer = new EventProducer()) {
            ReferralSubmitted first = new ReferralSubmitted("ref-" + UUID.randomUUID(), "lrn-1", "opp-1", from,
                    "agency-college", Urgency.ROUTINE, Instant.now());
            String eventId = producer.publish(first);
            producer.publish(eventId, first);
            producer.publish(new ReferralSubmitted("ref-" + UUID.randomUUID(), "lrn-2", "opp-1", from,
                    "agency-college", Urgency.URGENT, Instant.now()));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> flow(summary(coordinator), from, "agency-college") == 2);
        // The redelivered copy never adds a third.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> flow(summary(coordinator), from, "agency-college") == 2);

        // An agency sees only flows it is party to.
        assertThat(flow(summary(TestTokens.worker(from)), from, "agency-college")).isEqualTo(2);
        assertThat(flow(summary(TestTokens.worker("agency-jobcentre")), from, "agency-college")).isZero();
    }
}
