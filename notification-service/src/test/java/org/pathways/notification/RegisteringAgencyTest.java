package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pathways.notification.LearnerEvents.consent;
import static org.pathways.notification.LearnerEvents.learnerEvent;
import static org.pathways.notification.LearnerEvents.milestone;
import static org.pathways.notification.LearnerEvents.now;
import static org.pathways.notification.LearnerEvents.planStepAdded;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.testing.WebhookReceiver;

/**
 * The agency that registered a learner has standing for them whatever their consents (as the learner-profile-service's
 * {@code Standing} says): a consent of the learner to that agency withdrawn takes none of the learner's events from
 * it, and it goes on hearing of the learner's milestones; any other agency the withdrawn consent covered loses them.
 */
class RegisteringAgencyTest extends NotificationServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String GRANTED = "org.pathways.learner.consent-granted.v1";
    private static final String WITHDRAWN = "org.pathways.learner.consent-withdrawn.v1";
    private static final String STEP_ADDED = "org.pathways.learner.plan-step-added.v1";
    private static final String MILESTONE = "org.pathways.learner.milestone-recorded.v1";

    /**
     * The council registered the learner and leads first, then hands the lead over to the college; both hold a consent
     * to share outcomes; a provider adds plan steps and records milestones. Each lead hears of the step added while
     * it led, both hear of the milestones. The council's consent withdrawn takes nothing from it and it hears of the
     * next milestone; the college's consent withdrawn takes the step and the milestones from its feed and deliveries,
     * and it hears of no more.
     */
    @Test
    void theRegisteringAgencyKeepsHearingOfTheLearnerAfterItsConsentIsWithdrawnAndAnotherAgencyDoesNot()
            throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String council = AgencyFeedTest.agency("council");
        String college = AgencyFeedTest.agency("college");
        String provider = AgencyFeedTest.agency("adult-ed");
        String councilConsent = "cns-" + UUID.randomUUID();
        String collegeConsent = "cns-" + UUID.randomUUID();
        try (WebhookReceiver councilHook = new WebhookReceiver(); WebhookReceiver collegeHook = new WebhookReceiver();
             ReferralEvents events = new ReferralEvents()) {
            subscribe(council, councilHook.url(), STEP_ADDED, MILESTONE);
            subscribe(college, collegeHook.url(), STEP_ADDED, MILESTONE);
            events.publish(learnerEvent("org.pathways.learner.registered.v1", learner, Map.of(
                    "registeringAgencyId", council, "localityCode", "CF10", "registeredAt", now())));
            events.publish(consent(GRANTED, learner, councilConsent, council));
            events.publish(consent(GRANTED, learner, collegeConsent, college));
            events.publish(learnerEvent("org.pathways.learner.lead-assigned.v1", learner, Map.of("agencyId", council,
                    "workerId", "wkr-a", "assignedByAgencyId", council, "assignedAt", now())));
            OutboxEntry councilStep = planStepAdded(learner, provider);
            events.publish(councilStep);
            events.publish(learnerEvent("org.pathways.learner.lead-handed-over.v1", learner, Map.of(
                    "fromAgencyId", council, "fromWorkerId", "wkr-a", "toAgencyId", college, "toWorkerId", "wkr-b",
                    "handedOverAt", now())));
            OutboxEntry collegeStep = planStepAdded(learner, provider);
            events.publish(collegeStep);
            OutboxEntry first = milestone(learner, provider);
            events.publish(first);
            await().atMost(PATIENCE).until(() -> handled(first.eventId())
                    && feedEventIds(council).containsAll(List.of(councilStep.eventId(), first.eventId()))
                    && feedEventIds(college).containsAll(List.of(collegeStep.eventId(), first.eventId()))
                    && councilHook.count() == 2 && collegeHook.count() == 2);

            // The learner withdraws the consent to the council, which registered them.
            OutboxEntry councilWithdrawn = consent(WITHDRAWN, learner, councilConsent, council);
            events.publish(councilWithdrawn);
            await().atMost(PATIENCE).until(() -> handled(councilWithdrawn.eventId()));

            assertThat(feedEventIds(council)).as("the registering agency keeps what it heard")
                    .contains(councilStep.eventId(), first.eventId());
            for (String event : List.of(councilStep.eventId(), first.eventId())) {
                assertThat(deliveriesOf(council, event)).singleElement()
                        .satisfies(delivery -> assertThat(delivery.has("withheldAt")).as(event).isFalse());
            }
            assertThat(feedEventIds(college)).contains(collegeStep.eventId(), first.eventId());
            OutboxEntry second = milestone(learner, provider);
            events.publish(second);
            await().atMost(PATIENCE).until(() -> handled(second.eventId()));
            assertThat(feedEventIds(council)).as("the registering agency hears on").contains(second.eventId());
            assertThat(feedEventIds(college)).contains(second.eventId());
            await().atMost(PATIENCE).until(() -> councilHook.count() == 3 && collegeHook.count() == 3);
            assertThat(councilHook.received().getLast().header("webhook-id")).isEqualTo(second.eventId());

            // The learner withdraws the consent to the college, which only that consent let hear of them.
            OutboxEntry collegeWithdrawn = consent(WITHDRAWN, learner, collegeConsent, college);
            events.publish(collegeWithdrawn);
            await().atMost(PATIENCE).until(() -> handled(collegeWithdrawn.eventId()));

            assertThat(feedEventIds(college)).as("no grounds left for the college")
                    .doesNotContain(collegeStep.eventId(), first.eventId(), second.eventId());
            for (String event : List.of(collegeStep.eventId(), first.eventId(), second.eventId())) {
                assertThat(deliveriesOf(college, event)).singleElement()
                        .satisfies(delivery -> assertThat(delivery.has("withheldAt")).as(event).isTrue());
            }
            assertThat(feedEventIds(council)).contains(councilStep.eventId(), first.eventId(), second.eventId());
            OutboxEntry third = milestone(learner, provider);
            events.publish(third);
            await().atMost(PATIENCE).until(() -> handled(third.eventId()) && councilHook.count() == 4);
            assertThat(feedEventIds(council)).contains(third.eventId());
            assertThat(feedEventIds(college)).doesNotContain(third.eventId());
            assertThat(deliveriesOf(college, third.eventId())).isEmpty();
            assertThat(collegeHook.count()).isEqualTo(3);
        }
    }

    /**
     * A learner registered before this service kept the registering agency (no registration seen): nothing says the
     * council registered them, so a consent to it withdrawn takes back what no other consent covers, as for any agency.
     */
    @Test
    void withoutTheRegistrationSeenAWithdrawnConsentTakesBackWhatItCoveredFromAnyAgency() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String council = AgencyFeedTest.agency("council");
        String provider = AgencyFeedTest.agency("adult-ed");
        String councilConsent = "cns-" + UUID.randomUUID();
        try (ReferralEvents events = new ReferralEvents()) {
            events.publish(consent(GRANTED, learner, councilConsent, council));
            OutboxEntry shared = milestone(learner, provider);
            events.publish(shared);
            await().atMost(PATIENCE).until(() -> feedEventIds(council).contains(shared.eventId()));

            OutboxEntry withdrawn = consent(WITHDRAWN, learner, councilConsent, council);
            events.publish(withdrawn);
            await().atMost(PATIENCE).until(() -> handled(withdrawn.eventId()));

            assertThat(feedEventIds(council)).doesNotContain(shared.eventId());
            assertThat(feedEventIds(provider)).contains(shared.eventId());
        }
    }

    /**
     * A merge is made by the agency that registered both records and names it: from then on the survivor, even one
     * whose own registration this service never saw, counts it as its registering agency.
     */
    @Test
    void aMergeTellsTheSurvivorsRegisteringAgency() throws Exception {
        String survivor = "lrn-" + UUID.randomUUID();
        String retired = "lrn-" + UUID.randomUUID();
        String council = AgencyFeedTest.agency("council");
        String provider = AgencyFeedTest.agency("adult-ed");
        String councilConsent = "cns-" + UUID.randomUUID();
        try (ReferralEvents events = new ReferralEvents()) {
            OutboxEntry merged = learnerEvent("org.pathways.learner.merged.v1", retired, Map.of(
                    "survivingLearnerId", survivor, "registeringAgencyId", council, "mergedAt", now()));
            events.publish(merged);
            events.publish(consent(GRANTED, survivor, councilConsent, council));
            OutboxEntry shared = milestone(survivor, provider);
            events.publish(shared);
            await().atMost(PATIENCE).until(() -> handled(merged.eventId())
                    && feedEventIds(council).contains(shared.eventId()));

            OutboxEntry withdrawn = consent(WITHDRAWN, survivor, councilConsent, council);
            events.publish(withdrawn);
            await().atMost(PATIENCE).until(() -> handled(withdrawn.eventId()));
            OutboxEntry next = milestone(survivor, provider);
            events.publish(next);
            await().atMost(PATIENCE).until(() -> handled(next.eventId()));

            assertThat(feedEventIds(council)).contains(shared.eventId(), next.eventId());
        }
    }

    private List<String> feedEventIds(String agency) throws Exception {
        return json(call("GET", "/api/feed", system(agency), null)).get("events").valueStream()
                .map(e -> e.get("event").get("id").asString()).toList();
    }
}
