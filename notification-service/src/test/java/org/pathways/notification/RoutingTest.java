package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;
import org.pathways.testing.WebhookReceiver;
import tools.jackson.databind.JsonNode;

/** Any referral event goes to the agencies it concerns, and an overdue one to the coordinator too. */
class RoutingTest extends NotificationServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String OVERDUE = "org.pathways.referral.overdue.v1";

    @Test
    void anOverdueReferralGoesToBothAgenciesAndTheCoordinatorButNoOneElse() throws Exception {
        try (WebhookReceiver coordinator = new WebhookReceiver(); WebhookReceiver college = new WebhookReceiver();
             WebhookReceiver jobcentre = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            subscribe("agency-coordinator", coordinator.url(), OVERDUE);
            subscribe("agency-college", college.url(), OVERDUE);
            subscribe("agency-jobcentre", jobcentre.url(), OVERDUE);
            String referral = "ref-" + UUID.randomUUID();
            OutboxEntry overdue = ReferralEvents.event(OVERDUE, referral, Map.of("referralId", referral,
                    "referringAgencyId", "agency-council", "receivingAgencyId", "agency-college",
                    "status", "SUBMITTED", "breach", "NOT_RECEIVED"));

            events.publish(overdue);

            await().atMost(PATIENCE).until(() -> coordinator.count() == 1 && college.count() == 1);
            await().atMost(PATIENCE).until(() -> handled(overdue.eventId()));
            assertThat(deliveriesOf("agency-jobcentre", overdue.eventId())).isEmpty();
            assertThat(jobcentre.count()).isZero();
            assertThat(coordinator.received().getFirst().header("webhook-id")).isEqualTo(overdue.eventId());

            // People are told too: the receiving agency's workers and the coordinator, in the app.
            String coordinatorToken = TestTokens.token("coordinator-1", "agency-coordinator", Role.COORDINATOR);
            for (String token : List.of(worker("ana", "agency-college"), coordinatorToken)) {
                await().atMost(PATIENCE).untilAsserted(() -> assertThat(json(call("GET",
                        "/api/notifications?limit=200", token, null)).get("notifications").valueStream()
                        .filter(n -> n.get("referralId").asString().equals(referral))
                        .map(n -> n.get("kind").asString())).containsExactly("REFERRAL_OVERDUE"));
            }
            assertThat(json(call("GET", "/api/notifications?limit=200", worker("joe", "agency-jobcentre"), null))
                    .get("notifications").valueStream().map(n -> n.get("referralId").asString()))
                    .doesNotContain(referral);
        }
    }

    @Test
    void aReferralEventTypeThisServiceDoesNotKnowIsRoutedByTheAgenciesItNamesOrByItsReferral() throws Exception {
        String college = AgencyFeedTest.agency("college");
        String council = AgencyFeedTest.agency("council");
        try (ReferralEvents events = new ReferralEvents()) {
            String referral = "ref-" + UUID.randomUUID();
            OutboxEntry submitted = ReferralEvents.submitted(referral, council, college);
            // A type added by the referral-service later, naming both agencies...
            OutboxEntry escalated = ReferralEvents.event("org.pathways.referral.escalated.v1", referral,
                    Map.of("referralId", referral, "referringAgencyId", council, "receivingAgencyId", college));
            // ...and one naming neither: it goes to the parties remembered for its referral.
            OutboxEntry reminded = ReferralEvents.event("org.pathways.referral.reminder-sent.v1", referral,
                    Map.of("referralId", referral));
            // Hostile data: agency ids that are not ids, or not text, are ignored.
            OutboxEntry hostile = ReferralEvents.event("org.pathways.referral.escalated.v1", "ref-" + UUID.randomUUID(),
                    Map.of("referringAgencyId", Map.of("$ne", ""), "receivingAgencyId", "agency x/../y"));
            for (OutboxEntry event : List.of(submitted, escalated, reminded, hostile)) {
                events.publish(event);
            }

            for (String agency : List.of(college, council)) {
                await().atMost(PATIENCE).untilAsserted(() -> assertThat(feedEventIds(agency))
                        .containsExactly(submitted.eventId(), escalated.eventId(), reminded.eventId()));
            }
            await().atMost(PATIENCE).until(() -> handled(hostile.eventId()));
            assertThat(mongo.count(org.springframework.data.mongodb.core.query.Query.query(
                    org.springframework.data.mongodb.core.query.Criteria.where("eventId").is(hostile.eventId())),
                    "feed")).isZero();
        }
    }

    private List<String> feedEventIds(String agency) throws Exception {
        return json(call("GET", "/api/feed", system(agency), null)).get("events").valueStream()
                .map(e -> e.get("event").get("id").asString()).toList();
    }
}
