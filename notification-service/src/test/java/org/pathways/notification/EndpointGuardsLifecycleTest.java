package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.pathways.testing.WebhookReceiver;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * An endpoint's circuit breaker and bulkhead (and their meters) live only while its subscription takes attempts:
 * pausing, disabling (410) or removing it forgets them, so they do not pile up on a long-running instance.
 */
class EndpointGuardsLifecycleTest extends NotificationServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Autowired
    MeterRegistry meters;

    @Test
    void pausingOrRemovingASubscriptionForgetsItsBreakerBulkheadAndMeters() throws Exception {
        String agency = AgencyFeedTest.agency("college");
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            String id = subscribe(agency, college.url(), SUBMITTED).get("id").asString();
            events.publish(ReferralEvents.submitted("agency-council", agency));
            // Wait for the attempt to be fully over (its latency recorded), not just received: an attempt still
            // finishing when the subscription is paused would record its meter again.
            await().atMost(PATIENCE).until(() -> college.count() == 1 && guarded(id) && attemptsTimed(id) == 1);

            assertThat(call("POST", "/api/subscriptions/" + id + "/pause", admin(agency), null).statusCode())
                    .isEqualTo(200);
            assertThat(guarded(id)).as("forgotten when paused").isFalse();
            assertThat(meters.find("pathways.webhooks.attempt").tag("subscription", id).meters()).isEmpty();

            // A delivery made while paused is held without bringing the guards back.
            var held = ReferralEvents.submitted("agency-council", agency);
            events.publish(held);
            await().atMost(PATIENCE).until(() -> !deliveriesOf(agency, held.eventId()).isEmpty());
            assertThat(guarded(id)).isFalse();

            assertThat(call("POST", "/api/subscriptions/" + id + "/resume", admin(agency), null).statusCode())
                    .isEqualTo(200);
            await().atMost(PATIENCE).until(() -> college.count() == 2 && guarded(id) && attemptsTimed(id) == 1);

            assertThat(call("DELETE", "/api/subscriptions/" + id, admin(agency), null).statusCode()).isEqualTo(204);
            assertThat(guarded(id)).as("forgotten when removed").isFalse();
            assertThat(meters.find("pathways.webhooks.attempt").tag("subscription", id).meters()).isEmpty();
        }
    }

    @Test
    void aSubscriptionDisabledByA410ForgetsItsBreakerBulkheadAndMeters() throws Exception {
        String agency = AgencyFeedTest.agency("college");
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            college.otherwiseAnswer(410);
            String id = subscribe(agency, college.url(), SUBMITTED).get("id").asString();

            events.publish(ReferralEvents.submitted("agency-council", agency));

            await().atMost(PATIENCE).until(() -> "DISABLED".equals(json(call("GET", "/api/subscriptions/" + id,
                    admin(agency), null)).get("status").asString()));
            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(guarded(id)).isFalse();
                assertThat(meters.find("pathways.webhooks.attempt").tag("subscription", id).meters()).isEmpty();
            });
            assertThat(college.count()).isEqualTo(1);
        }
    }

    /** How many attempts to the subscription's endpoint this instance has timed since its meters were (re)made. */
    private long attemptsTimed(String subscriptionId) {
        return meters.find("pathways.webhooks.attempt").tag("subscription", subscriptionId).timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count).sum();
    }

    /** Whether this instance has a breaker or bulkhead (as their meters show) for the subscription. */
    private boolean guarded(String subscriptionId) {
        return !meters.find("resilience4j.circuitbreaker.state").tag("name", subscriptionId).meters().isEmpty()
                || !meters.find("resilience4j.bulkhead.available.concurrent.calls").tag("name", subscriptionId)
                .meters().isEmpty();
    }
}
