package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.messaging.outbox.OutboxEntry;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/** A learner's milestones go only to the agencies the learner consented to share outcomes with; erasure is honoured. */
class LearnerRoutingTest extends ServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String LEARNERS = "pathways.learners";

    @Test
    void aMilestoneGoesToTheAgenciesWithAnOutcomeSharingConsentAndTheOneThatRecordedIt() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String college = AgencyFeedTest.agency("college");
        String council = AgencyFeedTest.agency("council");
        String housing = AgencyFeedTest.agency("housing");
        String recorder = AgencyFeedTest.agency("adult-ed");
        try (ReferralEvents events = new ReferralEvents()) {
            String withdrawn = "cns-" + UUID.randomUUID();
            for (OutboxEntry event : List.of(
                    consent("org.pathways.learner.consent-granted.v1", learner, "cns-" + UUID.randomUUID(), college,
                            "OUTCOME_SHARING"),
                    consent("org.pathways.learner.consent-granted.v1", learner, "cns-" + UUID.randomUUID(), council,
                            "REFERRAL_SHARING"),
                    consent("org.pathways.learner.consent-granted.v1", learner, withdrawn, housing, "OUTCOME_SHARING"),
                    consent("org.pathways.learner.consent-withdrawn.v1", learner, withdrawn, housing,
                            "OUTCOME_SHARING"))) {
                events.publish(event);
            }
            OutboxEntry milestone = ReferralEvents.event(LEARNERS, "org.pathways.learner.milestone-recorded.v1",
                    learner, Map.of("learnerId", learner, "milestoneId", "mst-" + UUID.randomUUID(),
                            "milestone", "ENROLLED", "occurredOn", "2026-11-20", "recordedByAgencyId", recorder,
                            "recordedAt", Instant.now().toString()));

            events.publish(milestone);

            for (String agency : List.of(college, recorder)) {
                await().atMost(PATIENCE).until(() -> feedEventIds(agency).contains(milestone.eventId()));
            }
            // Same learner, same partition: the consents were all applied before the milestone was routed.
            assertThat(feedEventIds(council)).isEmpty();
            assertThat(feedEventIds(housing)).as("a withdrawn consent no longer counts").isEmpty();
        }
    }

    @Test
    void anErasedLearnersIdIsPseudonymisedInTheCopiesOfEventsKeptHere() throws Exception {
        String college = AgencyFeedTest.agency("college");
        try (WebhookReceiver receiver = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            receiver.otherwiseAnswer(500);
            subscribe(college, receiver.url(), SUBMITTED);
            OutboxEntry submitted = ReferralEvents.submitted("agency-council", college);
            String learner = JSON.readTree(submitted.data()).get("learnerId").asString();
            events.publish(submitted);
            await().atMost(PATIENCE).until(() -> feedEventIds(college).contains(submitted.eventId())
                    && copies("deliveries", "body", submitted.eventId()).stream().allMatch(b -> b.contains(learner))
                    && !copies("deliveries", "body", submitted.eventId()).isEmpty());

            events.publish(ReferralEvents.event(LEARNERS, "org.pathways.learner.erased.v1", learner,
                    Map.of("learnerId", learner, "registeringAgencyId", "agency-council",
                            "erasedAt", Instant.now().toString())));

            await().atMost(PATIENCE).untilAsserted(() -> {
                List<String> copies = new java.util.ArrayList<>(copies("feed", "event", submitted.eventId()));
                copies.addAll(copies("deliveries", "body", submitted.eventId()));
                // The feeds of both agencies, and the college's webhook delivery.
                assertThat(copies).hasSize(3).allSatisfy(copy -> assertThat(copy).doesNotContain(learner)
                        .contains("\"learnerId\":\"erased\""));
            });
        }
    }

    private static OutboxEntry consent(String type, String learner, String consentId, String agency, String purpose) {
        return ReferralEvents.event(LEARNERS, type, learner, Map.of("learnerId", learner, "consentId", consentId,
                "agencyId", agency, "purpose", purpose, "grantedAt", Instant.now().toString()));
    }

    private List<String> copies(String collection, String field, String eventId) {
        return mongo.find(Query.query(Criteria.where("eventId").is(eventId)), Document.class, collection).stream()
                .map(d -> d.getString(field)).toList();
    }

    private List<String> feedEventIds(String agency) throws Exception {
        return json(call("GET", "/api/feed", system(agency), null)).get("events").valueStream()
                .map(e -> e.get("event").get("id").asString()).toList();
    }
}
