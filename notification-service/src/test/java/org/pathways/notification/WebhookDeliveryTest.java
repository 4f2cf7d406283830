package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.delivery.WebhookDelivered;
import org.pathways.events.delivery.WebhookParked;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.notification.routing.ReferralEventRouting;
import org.pathways.testing.MongoQueryLog;
import org.pathways.testing.TopicRecorder;
import org.pathways.testing.WebhookReceiver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.databind.JsonNode;

class WebhookDeliveryTest extends NotificationServiceTest {

    @Autowired
    MongoQueryLog queries;

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final CloudEventCodec CODEC = new CloudEventCodec();

    @Autowired
    ReferralEventRouting routing;
    @Autowired
    MeterRegistry meters;

    @Test
    void eachAgencyPartyToAReferralGetsTheEventOnceSignedWithItsOwnSecretAndNoOtherAgencyGetsIt() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); WebhookReceiver council = new WebhookReceiver();
             WebhookReceiver jobcentre = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            String collegeSecret = subscribe("agency-college", college.url(), SUBMITTED).get("secret").asString();
            String councilSecret = subscribe("agency-council", council.url(), SUBMITTED).get("secret").asString();
            subscribe("agency-jobcentre", jobcentre.url(), SUBMITTED);
            OutboxEntry event = ReferralEvents.submitted("agency-council", "agency-college");
            double duplicatesBefore = duplicatesSkipped();

            events.publish(event);
            events.publish(event);

            await().atMost(PATIENCE).until(() -> college.count() == 1 && council.count() == 1);
            await().atMost(PATIENCE).until(() -> duplicatesSkipped() == duplicatesBefore + 1);
            // Handled once (the copy was skipped as a duplicate): the deliveries made are all there will be.
            assertThat(deliveriesOf("agency-jobcentre", event.eventId())).isEmpty();
            assertThat(jobcentre.count()).isZero();

            WebhookReceiver.Received received = college.received().getFirst();
            assertThat(received.header("content-type")).isEqualTo("application/cloudevents+json");
            assertThat(received.header("webhook-id")).isEqualTo(event.eventId());
            long timestamp = Long.parseLong(received.header("webhook-timestamp"));
            assertThat(timestamp).isBetween(Instant.now().getEpochSecond() - 60, Instant.now().getEpochSecond());

            // The library an agency would use accepts it, and so does the scheme computed by hand.
            new Webhook(collegeSecret).verify(received.body(), received.headers());
            assertThat(received.header("webhook-signature"))
                    .isEqualTo("v1," + hmac(collegeSecret, event.eventId() + "." + timestamp + "." + received.body()));
            // Each subscription signs with its own secret.
            WebhookReceiver.Received councils = council.received().getFirst();
            new Webhook(councilSecret).verify(councils.body(), councils.headers());
            assertThatThrownBy(() -> new Webhook(collegeSecret).verify(councils.body(), councils.headers()))
                    .isInstanceOf(WebhookVerificationException.class);

            // The body is the CloudEvent exactly as the referral-service published it.
            assertThat(received.body()).isEqualTo(new String(events.record(event), StandardCharsets.UTF_8));
            CloudEvent cloudEvent = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE)
                    .deserialize(received.body().getBytes(StandardCharsets.UTF_8));
            assertThat(cloudEvent.getType()).isEqualTo(SUBMITTED);
            assertThat(cloudEvent.getId()).isEqualTo(event.eventId());
            assertThat(cloudEvent.getSubject()).isEqualTo(event.subject());
            ReferralSubmitted data = JSON.readValue(cloudEvent.getData().toBytes(), ReferralSubmitted.class);
            assertThat(data.receivingAgencyId()).isEqualTo("agency-college");

            await().atMost(PATIENCE).untilAsserted(() -> assertThat(deliveriesOf("agency-college", event.eventId()))
                    .singleElement().satisfies(delivery -> {
                        assertThat(delivery.get("status").asString()).isEqualTo("DELIVERED");
                        assertThat(delivery.get("attempts")).hasSize(1);
                        assertThat(delivery.get("attempts").get(0).get("statusCode").asInt()).isEqualTo(200);
                    }));
            // Delivered is final: one request each, and no more to come.
            assertThat(college.count()).isEqualTo(1);
            assertThat(council.count()).isEqualTo(1);
        }
    }

    @Test
    void aChangedBodyOrAStaleTimestampFailsVerification() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            String secret = subscribe("agency-college", college.url(), SUBMITTED).get("secret").asString();
            events.publish(ReferralEvents.submitted("agency-council", "agency-college"));
            await().atMost(PATIENCE).until(() -> college.count() == 1);
            WebhookReceiver.Received received = college.received().getFirst();
            Webhook webhook = new Webhook(secret);
            webhook.verify(received.body(), received.headers());

            String changed = received.body().replace("agency-college", "agency-colleg3");
            assertThat(changed).isNotEqualTo(received.body());
            assertThatThrownBy(() -> webhook.verify(changed, received.headers()))
                    .isInstanceOf(WebhookVerificationException.class);

            // A replay more than five minutes later, even with a signature that was valid when it was made.
            long stale = Instant.now().minusSeconds(301).getEpochSecond();
            Map<String, List<String>> replayed = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            replayed.putAll(received.headers());
            replayed.put("webhook-timestamp", List.of(Long.toString(stale)));
            replayed.put("webhook-signature", List.of(webhook.sign(received.header("webhook-id"), stale,
                    received.body())));
            assertThatThrownBy(() -> webhook.verify(received.body(), replayed))
                    .isInstanceOf(WebhookVerificationException.class)
                    .hasMessageContaining("too old");
        }
    }

    @Test
    void aRepeatedFanOutOfTheSameEventFindsItsDeliveryAlreadyThere() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            subscribe("agency-college", college.url(), SUBMITTED);
            OutboxEntry entry = ReferralEvents.submitted("agency-council", "agency-college");
            byte[] record = events.record(entry);
            ReceivedEvent event = ReceivedEvent.decode(CODEC, record, null);

            // Straight to the routing, past the inbox: the unique (eventId, subscriptionId) key alone must hold.
            assertThat(routing.route(event, record)).isEqualTo(1);
            assertThat(routing.route(event, record)).isZero();

            assertThat(mongo.count(Query.query(Criteria.where("eventId").is(entry.eventId())), "deliveries"))
                    .isEqualTo(1);
            await().atMost(PATIENCE).until(() -> college.count() == 1);
            // Its one delivery is delivered, which is final: nothing more will be sent.
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(deliveriesOf("agency-college", entry.eventId()))
                    .singleElement().satisfies(d -> assertThat(d.get("status").asString()).isEqualTo("DELIVERED")));
            assertThat(college.count()).isEqualTo(1);
        }
    }

    @Test
    void retriesAfterFailuresHonouringRetryAfterThenReportsTheDelivery() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents();
             TopicRecorder deliveries = new TopicRecorder("pathways.deliveries")) {
            college.thenAnswer(503, Map.of("Retry-After", "1")).thenAnswer(503).otherwiseAnswer(200);
            String secret = subscribe("agency-college", college.url(), SUBMITTED).get("secret").asString();
            OutboxEntry event = ReferralEvents.submitted("agency-council", "agency-college");

            events.publish(event);

            JsonNode delivery = awaitStatus("agency-college", event.eventId(), "DELIVERED");
            assertThat(delivery.get("attempts").valueStream().map(a -> a.get("statusCode").asInt()))
                    .containsExactly(503, 503, 200);
            assertThat(delivery.get("attempts").valueStream().map(a -> a.get("latencyMs").asLong()))
                    .allMatch(latency -> latency >= 0 && latency < 5000);
            List<WebhookReceiver.Received> received = college.received();
            assertThat(received).hasSize(3);
            assertThat(Duration.between(received.get(0).at(), received.get(1).at()))
                    .as("the receiver asked for a second's rest").isGreaterThanOrEqualTo(Duration.ofMillis(950));
            for (WebhookReceiver.Received attempt : received) {
                assertThat(attempt.header("webhook-id")).isEqualTo(event.eventId());
                new Webhook(secret).verify(attempt.body(), attempt.headers());
            }

            String deliveryId = delivery.get("id").asString();
            List<ConsumerRecord<String, byte[]>> reported = deliveries.await(
                    r -> is(r, EventType.WEBHOOK_DELIVERED, deliveryId), 1, PATIENCE);
            assertThat(reported).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo(deliveryId);
                WebhookDelivered delivered = ReceivedEvent.decode(CODEC, r.value(), null).data(WebhookDelivered.class);
                assertThat(delivered.attempts()).isEqualTo(3);
                assertThat(delivered.statusCode()).isEqualTo(200);
                assertThat(delivered.eventId()).isEqualTo(event.eventId());
                assertThat(delivered.agencyId()).isEqualTo("agency-college");
            });
        }
    }

    @Test
    void aRetryIsMadeAtItsTimeByTheDeliverysIdWithoutASearchOfEveryDeliveryKept() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            college.thenAnswer(500).thenAnswer(500).otherwiseAnswer(200);
            subscribe("agency-college", college.url(), SUBMITTED);
            OutboxEntry event = ReferralEvents.submitted("agency-council", "agency-college");
            long searchesBefore = searchesOnceQuiet();

            events.publish(event);

            JsonNode delivery = awaitStatus("agency-college", event.eventId(), "DELIVERED");
            assertThat(delivery.get("attempts").valueStream().map(a -> a.get("statusCode").asInt()))
                    .containsExactly(500, 500, 200);
            List<WebhookReceiver.Received> received = college.received();
            // The schedule's 200 and 400 ms, not the poll's full search a minute later.
            assertThat(Duration.between(received.get(0).at(), received.get(2).at()))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(550)).isLessThan(Duration.ofSeconds(20));
            // The embedded store answers a search by due time by reading every delivery ever kept: one per retry
            // before (two here). One may be another test's: a delivery of its endpoints coming due in the window.
            assertThat(searches()).as("searches of the deliveries by the dispatcher's wake-ups")
                    .isLessThanOrEqualTo(searchesBefore + 1);
        }
    }

    @Test
    void aNewDeliveryIsAttemptedWithoutAClaimAndSavedWithItsOutcomeWithoutAReadOfTheDelivery() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            college.otherwiseAnswer(200);
            subscribe("agency-college", college.url(), SUBMITTED);
            OutboxEntry event = ReferralEvents.submitted("agency-council", "agency-college");
            queries.clear();
            queries.recordOn(thread -> thread.startsWith("webhook-") && !thread.equals("webhook-search"));
            try {
                events.publish(event);

                JsonNode delivery = awaitStatus("agency-college", event.eventId(), "DELIVERED");
                String id = delivery.get("id").asString();
                // Opened held by the dispatcher (no claim after the insert), attempted, and saved with its outcome
                // event, the outbox knowing there is room for it without reading the delivery's waiting events:
                // one write of the delivery by the attempt's thread. Before: a claim, a read and the write.
                assertThat(queries.reads()).filteredOn(read -> read.collection().equals("deliveries")
                        && read.filter().containsKey("_id") && read.filter().get("_id").isString()
                        && read.filter().getString("_id").getValue().equals(id))
                        .extracting(MongoQueryLog.Read::command).containsExactly("update");
            } finally {
                queries.recordOn(MongoQueryLog.WEB_THREADS);
            }
        }
    }

    @Test
    void parksWhatKeepsFailingAndRedeliversItOnRequestOnceTheEndpointIsBack() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents();
             TopicRecorder deliveries = new TopicRecorder("pathways.deliveries")) {
            college.otherwiseAnswer(500);
            subscribe("agency-college", college.url(), SUBMITTED);
            OutboxEntry event = ReferralEvents.submitted("agency-council", "agency-college");

            events.publish(event);

            JsonNode parked = awaitStatus("agency-college", event.eventId(), "PARKED");
            String deliveryId = parked.get("id").asString();
            assertThat(parked.get("attempts")).hasSize(4);
            assertThat(college.count()).isEqualTo(4);
            assertThat(json(call("GET", "/api/deliveries?status=PARKED", admin("agency-college"), null))
                    .valueStream().map(d -> d.get("id").asString())).contains(deliveryId);
            assertThat(json(call("GET", "/api/deliveries?status=DELIVERED", admin("agency-college"), null))
                    .valueStream().map(d -> d.get("id").asString())).doesNotContain(deliveryId);
            assertThat(json(call("GET", "/api/deliveries?status=PARKED", admin("agency-council"), null))
                    .valueStream().map(d -> d.get("id").asString())).doesNotContain(deliveryId);
            assertThat(deliveries.await(r -> is(r, EventType.WEBHOOK_PARKED, deliveryId), 1, PATIENCE))
                    .singleElement().satisfies(r -> {
                        WebhookParked report = ReceivedEvent.decode(CODEC, r.value(), null).data(WebhookParked.class);
                        assertThat(report.attempts()).isEqualTo(4);
                        assertThat(report.lastStatusCode()).isEqualTo(500);
                    });

            // Another agency cannot see or redeliver it.
            assertThat(call("POST", "/api/deliveries/" + deliveryId + "/redeliver", admin("agency-council"), null)
                    .statusCode()).isEqualTo(404);
            assertThat(call("GET", "/api/deliveries/" + deliveryId, admin("agency-council"), null).statusCode())
                    .isEqualTo(404);

            college.otherwiseAnswer(200);
            var redelivered = call("POST", "/api/deliveries/" + deliveryId + "/redeliver", admin("agency-college"),
                    null);
            assertThat(redelivered.statusCode()).as(redelivered.body()).isEqualTo(202);

            JsonNode delivered = awaitStatus("agency-college", event.eventId(), "DELIVERED");
            assertThat(delivered.get("attempts")).hasSize(5);
            assertThat(college.count()).isEqualTo(5);
            assertThat(deliveries.await(r -> is(r, EventType.WEBHOOK_DELIVERED, deliveryId), 1, PATIENCE))
                    .singleElement().satisfies(r -> assertThat(ReceivedEvent.decode(CODEC, r.value(), null)
                            .data(WebhookDelivered.class).attempts()).isEqualTo(1));
            assertThat(call("POST", "/api/deliveries/" + deliveryId + "/redeliver", admin("agency-college"), null)
                    .statusCode()).as("a delivered one may be sent again").isEqualTo(202);
            await().atMost(PATIENCE).until(() -> college.count() == 6);
        }
    }

    @Test
    void anEndpointThatAnswers410IsDisabledAndGetsNothingMore() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            college.otherwiseAnswer(410);
            String subscriptionId = subscribe("agency-college", college.url(), SUBMITTED).get("id").asString();
            OutboxEntry first = ReferralEvents.submitted("agency-council", "agency-college");

            events.publish(first);

            JsonNode cancelled = awaitStatus("agency-college", first.eventId(), "CANCELLED");
            assertThat(cancelled.get("attempts")).hasSize(1);
            JsonNode subscription = json(call("GET", "/api/subscriptions/" + subscriptionId,
                    admin("agency-college"), null));
            assertThat(subscription.get("status").asString()).isEqualTo("DISABLED");
            assertThat(subscription.get("disabledAt")).isNotNull();
            assertThat(call("POST", "/api/deliveries/" + cancelled.get("id").asString() + "/redeliver",
                    admin("agency-college"), null).statusCode()).isEqualTo(409);

            OutboxEntry second = ReferralEvents.submitted("agency-council", "agency-college");
            events.publish(second);
            await().atMost(PATIENCE).until(() -> handled(second.eventId()));
            assertThat(deliveriesOf("agency-college", second.eventId())).isEmpty();
            assertThat(college.count()).isEqualTo(1);
        }
    }

    private JsonNode awaitStatus(String agency, String eventId, String status) {
        return await().atMost(PATIENCE).until(() -> deliveriesOf(agency, eventId).stream()
                        .filter(d -> d.get("status").asString().equals(status)).findFirst().orElse(null),
                delivery -> delivery != null);
    }

    private double duplicatesSkipped() {
        var counter = meters.find("pathways.inbox.events").tag("handler", "referral-events")
                .tag("outcome", "duplicate").counter();
        return counter == null ? 0 : counter.count();
    }

    private static boolean is(ConsumerRecord<String, byte[]> record, EventType type, String deliveryId) {
        ReceivedEvent event = ReceivedEvent.decode(CODEC, record.value(), null);
        return event.is(type) && deliveryId.equals(event.subject());
    }

    private static String hmac(String secret, String signed) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }
}
