package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pathways.events.Topic;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencyRegistered;
import org.pathways.events.agency.AgencySector;
import org.pathways.events.agency.AgencyUpdated;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.referral.consent.ConsentExpiries;
import org.pathways.referral.readmodel.ConsentView;
import org.pathways.referral.readmodel.OpportunityView;
import org.pathways.testing.HandledEvents;
import org.pathways.testing.HttpApi;
import org.pathways.testing.MutableClock;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Consent given to every agency of a kind: resolved through the agency read model (built from the agencies topic),
 * withdrawn or expired with the same cascade as a one-agency consent.
 */
class AgencyKindConsentTest extends ReferralServiceTest {

    @Autowired
    MutableClock clock;
    @Autowired
    ConsentExpiries expiries;

    @AfterEach
    void backToNow() {
        clock.reset();
    }

    private static String newAgency() {
        return "agency-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private String publishedCourse(String agency) {
        String opportunityId = "opp-" + UUID.randomUUID();
        events.publish(new OpportunityPublished(opportunityId, agency, OpportunityKind.FORMAL_LEARNING, "L2", 20, 0,
                Instant.now()));
        await().atMost(DEADLINE).until(() -> store.findById(opportunityId, OpportunityView.class) != null);
        return opportunityId;
    }

    private String kindConsent(String learnerId, AgencyKind kind, Instant expiresAt) {
        String consentId = "cns-" + UUID.randomUUID();
        registered(learnerId, COUNCIL); // the council refers them: it registered them
        events.publish(new ConsentGranted(learnerId, consentId, null, kind, ConsentPurpose.REFERRAL_SHARING,
                Instant.now().minusSeconds(1), expiresAt));
        await().atMost(DEADLINE).until(() -> store.findById(consentId, ConsentView.class) != null);
        return consentId;
    }

    private void registered(String agencyId, AgencyKind kind) {
        events.publish(new AgencyRegistered(agencyId, kind, AgencySector.PUBLIC, true, now()));
        await().atMost(DEADLINE).until(() -> agencyKinds.find(agencyId).isPresent());
    }

    private HttpApi.Response submit(String learnerId, String opportunityId) {
        return api().post("/api/referrals", worker(COUNCIL), """
                {"learnerId":"%s","opportunityId":"%s","need":"Level 2 course","urgency":"ROUTINE"}
                """.formatted(learnerId, opportunityId));
    }

    private String statusOf(String id) {
        return api().get("/api/referrals/" + id, worker(COUNCIL)).text("status");
    }

    @Test
    void aKindConsentCoversEveryAgencyOfThatKindOnceTheCatalogueHasSaidWhatKindItIs() {
        String college = newAgency();
        String clinic = newAgency();
        String learnerId = "lrn-" + UUID.randomUUID();
        String course = publishedCourse(college);
        String therapy = publishedCourse(clinic);
        kindConsent(learnerId, AgencyKind.COLLEGE, null);

        // The kind of the college is not known yet: the consent cannot be shown to cover it.
        assertThat(submit(learnerId, course).isProblem(422, "consent-required")).isTrue();

        registered(college, AgencyKind.COLLEGE);
        registered(clinic, AgencyKind.HEALTH);
        HttpApi.Response referred = submit(learnerId, course);
        assertThat(referred.status()).as(referred.toString()).isEqualTo(201);
        assertThat(referred.text("receivingAgencyId")).isEqualTo(college);
        assertThat(submit(learnerId, therapy).isProblem(422, "consent-required")).isTrue();
    }

    @Test
    void anAgencyOfAKindThisVersionDoesNotKnowIsKnownWithNoKindUntilAnUpdateNamesAKnownOne() {
        String college = newAgency();
        String learnerId = "lrn-" + UUID.randomUUID();
        String course = publishedCourse(college);
        kindConsent(learnerId, AgencyKind.COLLEGE, null);
        Instant registeredAt = now().minusSeconds(60);

        // As a newer catalogue would announce it: a kind this version has no name for.
        String registration = events.publishRaw(Topic.AGENCIES.topicName(), EventType.AGENCY_REGISTERED.type(),
                college, Map.of("agencyId", college, "kind", "SIXTH_FORM_COLLEGE", "sector", "PUBLIC",
                        "acceptsDirectReferrals", true, "registeredAt", registeredAt.toString()));

        HandledEvents.awaitHandled(store, AgencyKinds.HANDLER, registration, DEADLINE);
        assertThat(agencyKinds.find(college)).as("consumed, not dead-lettered: the agency is known")
                .hasValueSatisfying(agency -> {
                    assertThat(agency.kindUnknown()).isTrue();
                    assertThat(agency.reportedKind()).isEqualTo("SIXTH_FORM_COLLEGE");
                    assertThat(agency.asOf()).isEqualTo(registeredAt);
                });
        assertThat(submit(learnerId, course).isProblem(422, "consent-required"))
                .as("no kind consent covers an agency of an unknown kind").isTrue();

        Instant updatedAt = now();
        events.publish(new AgencyUpdated(college, AgencyKind.COLLEGE, AgencySector.PUBLIC, true, updatedAt));
        await().atMost(DEADLINE).until(() -> updatedAt.equals(agencyKinds.find(college).orElseThrow().asOf()));

        assertThat(agencyKinds.kindOf(college)).contains(AgencyKind.COLLEGE);
        HttpApi.Response referred = submit(learnerId, course);
        assertThat(referred.status()).as(referred.toString()).isEqualTo(201);
    }

    @Test
    void theAgencyReadModelFollowsUpdatesAndIgnoresARedeliveredRegistration() {
        String college = newAgency();
        String learnerId = "lrn-" + UUID.randomUUID();
        String course = publishedCourse(college);
        kindConsent(learnerId, AgencyKind.COLLEGE, null);
        String registration = events.publish(new AgencyRegistered(college, AgencyKind.COLLEGE, AgencySector.PUBLIC,
                true, now()));
        await().atMost(DEADLINE).until(() -> agencyKinds.find(college).isPresent());

        // Re-registered by the catalogue as a community group: a COLLEGE consent no longer covers it.
        events.publish(new AgencyUpdated(college, AgencyKind.COMMUNITY_GROUP, AgencySector.VOLUNTARY, true, now()));
        await().atMost(DEADLINE).until(
                () -> agencyKinds.find(college).orElseThrow().kind() == AgencyKind.COMMUNITY_GROUP);

        // The old registration delivered again (same event id), then a marker update after it on the same key.
        events.publish(registration, new AgencyRegistered(college, AgencyKind.COLLEGE, AgencySector.PUBLIC, true,
                now()));
        Instant marker = now().plusSeconds(60);
        events.publish(new AgencyUpdated(college, AgencyKind.COMMUNITY_GROUP, AgencySector.VOLUNTARY, true,
                marker));
        await().atMost(DEADLINE).until(() -> marker.equals(agencyKinds.find(college).orElseThrow().asOf()));
        assertThat(agencyKinds.find(college).orElseThrow().kind()).isEqualTo(AgencyKind.COMMUNITY_GROUP);
        assertThat(submit(learnerId, course).isProblem(422, "consent-required")).isTrue();

        // Older news under a new event id (a late registration): handled, yet it never rolls the kind back.
        String late = events.publish(new AgencyRegistered(college, AgencyKind.COLLEGE, AgencySector.PUBLIC, true,
                marker.minusSeconds(3600)));
        consumed(late);
        assertThat(agencyKinds.find(college).orElseThrow().kind()).isEqualTo(AgencyKind.COMMUNITY_GROUP);
        assertThat(agencyKinds.find(college).orElseThrow().asOf()).isEqualTo(marker);
    }

    @Test
    void withdrawingAKindConsentHoldsTheReferralsItCoveredUnlessADirectConsentStillCoversThem() {
        String first = newAgency();
        String second = newAgency();
        registered(first, AgencyKind.COLLEGE);
        registered(second, AgencyKind.COLLEGE);
        String learnerId = "lrn-" + UUID.randomUUID();
        String kindConsent = kindConsent(learnerId, AgencyKind.COLLEGE, null);
        grantConsent(learnerId, "cns-" + UUID.randomUUID(), second);
        Scenario toFirst = new Scenario(learnerId, publishedCourse(first), kindConsent, first);
        Scenario toSecond = new Scenario(learnerId, publishedCourse(second), kindConsent, second);
        String heldId = submitted(toFirst).get("id").asString();
        String keptId = submitted(toSecond).get("id").asString();

        events.publish(new ConsentWithdrawn(learnerId, kindConsent, null, AgencyKind.COLLEGE,
                ConsentPurpose.REFERRAL_SHARING, Instant.now()));

        await().atMost(DEADLINE).until(() -> statusOf(heldId).equals("ON_HOLD"));
        JsonNode held = eventsOf(heldId, "on-hold", 1).getFirst().get("data");
        assertThat(held.get("reason").asString()).isEqualTo("CONSENT_WITHDRAWN");
        assertThat(held.get("receivingAgencyId").asString()).isEqualTo(first);
        learnerEventsHandled(learnerId);
        assertThat(statusOf(keptId)).isEqualTo("SUBMITTED");
        assertThat(typesSoFar(keptId, COUNCIL)).containsExactly("submitted");
    }

    @Test
    void withdrawingADirectConsentLeavesAReferralAKindConsentStillCovers() {
        String college = newAgency();
        registered(college, AgencyKind.COLLEGE);
        String learnerId = "lrn-" + UUID.randomUUID();
        String direct = "cns-" + UUID.randomUUID();
        grantConsent(learnerId, direct, college);
        kindConsent(learnerId, AgencyKind.COLLEGE, null);
        String id = submitted(new Scenario(learnerId, publishedCourse(college), direct, college)).get("id")
                .asString();

        events.publish(new ConsentWithdrawn(learnerId, direct, college, ConsentPurpose.REFERRAL_SHARING,
                Instant.now()));
        learnerEventsHandled(learnerId);
        assertThat(store.findById(direct, ConsentView.class).withdrawnAt()).isNotNull();
        assertThat(statusOf(id)).isEqualTo("SUBMITTED");
        assertThat(typesSoFar(id, COUNCIL)).containsExactly("submitted");
    }

    @Test
    void anExpiredKindConsentStopsTheReferralsItCoveredOnceAndNoLongerAllowsNewOnes() {
        String college = newAgency();
        registered(college, AgencyKind.COLLEGE);
        String learnerId = "lrn-" + UUID.randomUUID();
        String consentId = kindConsent(learnerId, AgencyKind.COLLEGE, Instant.now().plus(Duration.ofDays(1)));
        String id = submitted(new Scenario(learnerId, publishedCourse(college), consentId, college)).get("id")
                .asString();
        String later = publishedCourse(college);

        expiries.stopExpired();
        assertThat(statusOf(id)).isEqualTo("SUBMITTED");

        clock.advance(Duration.ofDays(2));
        assertThat(submit(learnerId, later).isProblem(422, "consent-required")).isTrue();
        expiries.stopExpired();
        expiries.stopExpired();
        assertThat(statusOf(id)).isEqualTo("ON_HOLD");
        assertThat(typesSoFar(id, COUNCIL)).containsExactly("submitted", "on-hold");
    }

    @Test
    void anAgencyChangingKindStopsTheOpenReferralsOnlyAConsentForItsFormerKindCovered() {
        String college = newAgency();
        registered(college, AgencyKind.COLLEGE);
        String course = publishedCourse(college);
        String kindOnly = "lrn-" + UUID.randomUUID();
        String alsoDirect = "lrn-" + UUID.randomUUID();
        String kindConsent = kindConsent(kindOnly, AgencyKind.COLLEGE, null);
        kindConsent(alsoDirect, AgencyKind.COLLEGE, null);
        grantConsent(alsoDirect, "cns-" + UUID.randomUUID(), college);
        String heldId = submitted(new Scenario(kindOnly, course, kindConsent, college)).get("id").asString();
        String keptId = submitted(new Scenario(alsoDirect, course, kindConsent, college)).get("id").asString();

        // The catalogue now says it is a community group: a COLLEGE consent no longer covers it.
        events.publish(new AgencyUpdated(college, AgencyKind.COMMUNITY_GROUP, AgencySector.VOLUNTARY, true, now()));
        await().atMost(DEADLINE).until(() -> statusOf(heldId).equals("ON_HOLD"));
        JsonNode held = eventsOf(heldId, "on-hold", 1).getFirst().get("data");
        assertThat(held.get("reason").asString()).isEqualTo("CONSENT_WITHDRAWN");
        assertThat(held.get("actingAgencyId").asString()).isEqualTo("pathways");

        // An update that keeps the kind changes nothing more (a later update on the same key marks the point).
        Instant marker = now().plusSeconds(60);
        events.publish(new AgencyUpdated(college, AgencyKind.COMMUNITY_GROUP, AgencySector.VOLUNTARY, true,
                marker));
        await().atMost(DEADLINE).until(() -> marker.equals(agencyKinds.find(college).orElseThrow().asOf()));
        assertThat(statusOf(keptId)).isEqualTo("SUBMITTED");
        assertThat(typesSoFar(keptId, COUNCIL)).containsExactly("submitted");
        assertThat(typesSoFar(heldId, COUNCIL)).containsExactly("submitted", "on-hold");
    }
}
