package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import org.junit.jupiter.api.Test;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.testing.WebhookReceiver;
import tools.jackson.databind.JsonNode;

/** Secret rotation with a grace period, and pausing and resuming a subscription. */
class SubscriptionLifecycleTest extends NotificationServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @org.springframework.beans.factory.annotation.Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Test
    void afterARotationDeliveriesCarryTheNewAndTheOldSignatureDuringTheGracePeriod() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            JsonNode created = subscribe("agency-college", college.url(), SUBMITTED);
            String id = created.get("id").asString();
            String oldSecret = created.get("secret").asString();

            HttpResponse<String> rotated = call("POST", "/api/subscriptions/" + id + "/secret:rotate",
                    admin("agency-college"), null);

            assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
            String newSecret = json(rotated).get("secret").asString();
            assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);
            Instant graceEnds = Instant.parse(json(rotated).get("previousSecretValidUntil").asString());
            assertThat(graceEnds).isBetween(Instant.now().plus(Duration.ofHours(23)),
                    Instant.now().plus(Duration.ofHours(25)));
            JsonNode shown = json(call("GET", "/api/subscriptions/" + id, admin("agency-college"), null));
            assertThat(shown.has("secret")).isFalse();
            assertThat(shown.get("rotatedAt")).isNotNull();

            events.publish(ReferralEvents.submitted("agency-council", "agency-college"));
            await().atMost(PATIENCE).until(() -> college.count() == 1);
            WebhookReceiver.Received received = college.received().getFirst();
            assertThat(received.header("webhook-signature").split(" ")).hasSize(2)
                    .allMatch(signature -> signature.startsWith("v1,"));
            // A receiver still on the old secret accepts it, and so does one already switched to the new.
            new Webhook(oldSecret).verify(received.body(), received.headers());
            new Webhook(newSecret).verify(received.body(), received.headers());
            String stranger = subscribe("agency-council", college.url(), SUBMITTED).get("secret").asString();
            assertThatThrownBy(() -> new Webhook(stranger).verify(received.body(), received.headers()))
                    .isInstanceOf(WebhookVerificationException.class);

            // The other route name works too, and the secret moves on again.
            HttpResponse<String> again = call("POST", "/api/subscriptions/" + id + "/rotate-secret",
                    admin("agency-college"), null);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(json(again).get("secret").asString()).isNotIn(oldSecret, newSecret);
        }
    }

    @Test
    void onlyTheOwningAgencysAdminRotatesOrPauses() throws Exception {
        String id = subscribe("agency-college", "http://127.0.0.1:9/hooks", SUBMITTED).get("id").asString();
        for (String action : new String[] {"secret:rotate", "rotate-secret", "pause", "resume"}) {
            assertThat(call("POST", "/api/subscriptions/" + id + "/" + action, admin("agency-council"), null)
                    .statusCode()).as(action).isEqualTo(404);
            assertThat(call("POST", "/api/subscriptions/" + id + "/" + action,
                    worker("worker-1", "agency-college"), null).statusCode()).as(action).isEqualTo(403);
        }
        assertThat(call("POST", "/api/subscriptions/not%20an%20id/pause", admin("agency-college"), null)
                .statusCode()).isEqualTo(400);
    }

    @Test
    void aPausedSubscriptionHoldsItsDeliveriesAndSendsThemWhenResumed() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            String id = subscribe("agency-college", college.url(), SUBMITTED).get("id").asString();
            HttpResponse<String> paused = call("POST", "/api/subscriptions/" + id + "/pause", admin("agency-college"),
                    null);
            assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
            assertThat(json(paused).get("status").asString()).isEqualTo("PAUSED");
            OutboxEntry event = ReferralEvents.submitted("agency-council", "agency-college");

            events.publish(event);

            await().atMost(PATIENCE).until(() -> !deliveriesOf("agency-college", event.eventId()).isEmpty());
            // The dispatcher took it up and held it back (deferred, not attempted).
            await().atMost(PATIENCE).until(() -> meters.find("pathways.webhooks.deferred").tag("subscription", id)
                    .counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum() >= 1);
            assertThat(college.count()).isZero();
            JsonNode held = deliveriesOf("agency-college", event.eventId()).getFirst();
            assertThat(held.get("status").asString()).isEqualTo("PENDING");
            assertThat(held.get("attempts")).isEmpty();

            HttpResponse<String> resumed = call("POST", "/api/subscriptions/" + id + "/resume",
                    admin("agency-college"), null);
            assertThat(json(resumed).get("status").asString()).isEqualTo("ACTIVE");
            await().atMost(PATIENCE).until(() -> college.count() == 1);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(deliveriesOf("agency-college", event.eventId())
                    .getFirst().get("attempts")).hasSize(1));
        }
    }

    @Test
    void anAdminRedeliversAllTheAgencysParkedDeliveriesAtOnce() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); WebhookReceiver council = new WebhookReceiver();
             ReferralEvents events = new ReferralEvents()) {
            college.otherwiseAnswer(500);
            council.otherwiseAnswer(500);
            String collegeSubscription = subscribe("agency-college", college.url(), SUBMITTED).get("id").asString();
            subscribe("agency-council", council.url(), SUBMITTED);
            OutboxEntry first = ReferralEvents.submitted("agency-council", "agency-college");
            OutboxEntry second = ReferralEvents.submitted("agency-council", "agency-college");
            events.publish(first);
            events.publish(second);
            for (OutboxEntry event : java.util.List.of(first, second)) {
                await().atMost(PATIENCE).until(() -> deliveriesOf("agency-college", event.eventId()).stream()
                        .anyMatch(d -> d.get("status").asString().equals("PARKED")));
                await().atMost(PATIENCE).until(() -> deliveriesOf("agency-council", event.eventId()).stream()
                        .anyMatch(d -> d.get("status").asString().equals("PARKED")));
            }
            college.otherwiseAnswer(200);
            council.otherwiseAnswer(200);

            assertThat(call("POST", "/api/deliveries/redeliver-parked?subscriptionId=not%20an%20id",
                    admin("agency-college"), null).statusCode()).isEqualTo(400);
            HttpResponse<String> redelivered = call("POST", "/api/deliveries/redeliver-parked?subscriptionId="
                    + collegeSubscription, admin("agency-college"), null);

            assertThat(redelivered.statusCode()).as(redelivered.body()).isEqualTo(202);
            assertThat(json(redelivered).get("redelivered").asInt()).isEqualTo(2);
            await().atMost(PATIENCE).until(() -> college.processed().containsAll(
                    java.util.List.of(first.eventId(), second.eventId())));
            // The other agency's parked deliveries are its own business: still parked (redelivery makes a parked
            // delivery pending before answering, so there is nothing to wait for).
            for (OutboxEntry event : java.util.List.of(first, second)) {
                assertThat(deliveriesOf("agency-council", event.eventId()).getFirst().get("status").asString())
                        .isEqualTo("PARKED");
            }
            assertThat(council.processed()).isEmpty();
        }
    }
}
