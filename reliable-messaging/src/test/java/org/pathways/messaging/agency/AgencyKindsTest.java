package org.pathways.messaging.agency;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencyRegistered;
import org.pathways.events.agency.AgencySector;
import org.pathways.events.agency.AgencyUpdated;
import org.pathways.events.catalogue.EventType;
import org.pathways.messaging.MessagingServiceTest;
import org.pathways.messaging.MessagingTestApplication;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HandledEvents;
import org.pathways.testing.TopicRecorder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * The one agency kinds read model, fed over the real broker through the inbox as every service feeds it: a kind this
 * version does not know is consumed and recorded as unknown (not dead-lettered, not dropped), a later event with a
 * known kind fixes it, an older event never rolls a kind back, and only an event naming no agency is dead-lettered.
 */
class AgencyKindsTest extends MessagingServiceTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final String TOPIC = "pathways.agencies";
    private static EventProducer catalogue;
    private static TopicRecorder deadLetters;

    @Autowired AgencyKinds agencyKinds;
    @Autowired MongoTemplate mongo;

    @BeforeAll
    static void clients() {
        catalogue = new EventProducer();
        deadLetters = new TopicRecorder("pathways.dlq.messaging-test");
    }

    @AfterAll
    static void close() {
        catalogue.close();
        deadLetters.close();
    }

    private static String newAgency() {
        return "agency-" + UUID.randomUUID();
    }

    /** An {@code agency.registered} as a newer catalogue would publish it, with a kind of its own choosing. */
    private static String registeredAs(String agencyId, Object kind, Instant at) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("agencyId", agencyId);
        if (kind != null) {
            data.put("kind", kind);
        }
        data.put("sector", "PUBLIC");
        data.put("acceptsDirectReferrals", true);
        data.put("registeredAt", at.toString());
        return catalogue.publishRaw(TOPIC, EventType.AGENCY_REGISTERED.type(), agencyId, data);
    }

    private void awaitDone(String eventId) {
        HandledEvents.awaitHandled(mongo, AgencyKinds.HANDLER, eventId, DEADLINE);
    }

    @Test
    void anAgencyOfAKindThisVersionDoesNotKnowIsKnownWithItsKindUnknownUntilAKnownKindArrives() {
        String agency = newAgency();
        Instant registeredAt = Instant.parse("2026-11-02T09:00:00Z");

        String registration = registeredAs(agency, "APPRENTICESHIP_PROVIDER", registeredAt);
        awaitDone(registration);

        KnownAgency known = agencyKinds.find(agency).orElseThrow();
        assertThat(known.kindUnknown()).isTrue();
        assertThat(known.reportedKind()).isEqualTo("APPRENTICESHIP_PROVIDER");
        assertThat(known.asOf()).isEqualTo(registeredAt);
        assertThat(agencyKinds.kindOf(agency)).as("no kind consent covers an agency of an unknown kind").isEmpty();
        assertThat(agencyKinds.kindsOf(List.of(agency))).isEmpty();

        String update = catalogue.publish(new AgencyUpdated(agency, AgencyKind.COLLEGE, AgencySector.PUBLIC, true,
                registeredAt.plusSeconds(60)));
        awaitDone(update);

        assertThat(agencyKinds.kindOf(agency)).contains(AgencyKind.COLLEGE);
        assertThat(agencyKinds.kindsOf(List.of(agency))).containsEntry(agency, AgencyKind.COLLEGE);
        assertThat(agencyKinds.agenciesOfKind(AgencyKind.COLLEGE)).contains(agency);
        assertThat(MessagingTestApplication.KIND_CHANGES).contains(agency + ": null -> COLLEGE");
        assertThat(deadLetters.await(r -> agency.equals(r.key()), 0, Duration.ZERO))
                .as("nothing about the agency was dead-lettered").isEmpty();
    }

    @Test
    void anEventWithoutAKindOrWithAKindThatIsNotTextIsKeptWithTheKindUnknown() {
        String withoutKind = newAgency();
        String numberKind = newAgency();

        awaitDone(registeredAs(withoutKind, null, Instant.now()));
        awaitDone(registeredAs(numberKind, 42, Instant.now()));

        assertThat(agencyKinds.find(withoutKind)).hasValueSatisfying(a -> assertThat(a.kindUnknown()).isTrue());
        assertThat(agencyKinds.find(numberKind)).hasValueSatisfying(a -> assertThat(a.kindUnknown()).isTrue());
    }

    @Test
    void aKnownKindTurningUnknownIsToldAndALateOlderEventNeverRollsTheKindBack() {
        String agency = newAgency();
        Instant registeredAt = Instant.parse("2026-11-03T09:00:00Z");
        awaitDone(catalogue.publish(new AgencyRegistered(agency, AgencyKind.COUNCIL, AgencySector.PUBLIC, true,
                registeredAt)));
        assertThat(agencyKinds.kindOf(agency)).contains(AgencyKind.COUNCIL);

        Map<String, Object> update = new LinkedHashMap<>(Map.of("agencyId", agency, "kind", "REGIONAL_AUTHORITY",
                "sector", "PUBLIC", "acceptsDirectReferrals", true,
                "updatedAt", registeredAt.plusSeconds(120).toString()));
        awaitDone(catalogue.publishRaw(TOPIC, EventType.AGENCY_UPDATED.type(), agency, update));
        assertThat(agencyKinds.find(agency).orElseThrow().reportedKind()).isEqualTo("REGIONAL_AUTHORITY");
        assertThat(MessagingTestApplication.KIND_CHANGES).contains(agency + ": COUNCIL -> null");

        // A redelivered registration (a new event id, as after a producer retry), older than what is known.
        awaitDone(catalogue.publish(new AgencyRegistered(agency, AgencyKind.COUNCIL, AgencySector.PUBLIC, true,
                registeredAt)));

        KnownAgency known = agencyKinds.find(agency).orElseThrow();
        assertThat(known.kindUnknown()).isTrue();
        assertThat(known.asOf()).isEqualTo(registeredAt.plusSeconds(120));
        assertThat(MessagingTestApplication.KIND_CHANGES).doesNotContain(agency + ": null -> COUNCIL");
    }

    @Test
    void aKindChangeWhoseListenerFailedIsToldAgainWhenTheEventIsHandledAgain() {
        String agency = newAgency();
        Instant registeredAt = Instant.parse("2026-11-04T09:00:00Z");
        awaitDone(catalogue.publish(new AgencyRegistered(agency, AgencyKind.COUNCIL, AgencySector.PUBLIC, true,
                registeredAt)));
        MessagingTestApplication.KIND_CHANGE_FAILS_ONCE.add(agency);

        // The kind is recorded, then the listener fails: the binder hands the event over again, which finds the
        // kind already COLLEGE, and must still tell of the change (before, it told nothing: the agency kept what
        // only a consent for councils let it hear).
        awaitDone(catalogue.publish(new AgencyUpdated(agency, AgencyKind.COLLEGE, AgencySector.PUBLIC, true,
                registeredAt.plusSeconds(60))));

        assertThat(MessagingTestApplication.KIND_CHANGE_FAILS_ONCE).as("the listener failed once").doesNotContain(agency);
        assertThat(MessagingTestApplication.KIND_CHANGES).contains(agency + ": COUNCIL -> COLLEGE");
        // Told in full once: a later event of the same kind tells nothing more.
        awaitDone(catalogue.publish(new AgencyUpdated(agency, AgencyKind.COLLEGE, AgencySector.PUBLIC, false,
                registeredAt.plusSeconds(120))));
        assertThat(MessagingTestApplication.KIND_CHANGES.stream().filter(c -> c.startsWith(agency + ":")))
                .containsExactly(agency + ": COUNCIL -> COLLEGE");
    }

    @Test
    void onlyAnEventThatNamesNoAgencyIsDeadLettered() {
        String subject = newAgency();
        String broken = catalogue.publishRaw(TOPIC, EventType.AGENCY_REGISTERED.type(), subject,
                Map.of("kind", "COLLEGE", "registeredAt", Instant.now().toString()));

        assertThat(deadLetters.await(r -> subject.equals(r.key()), 1, DEADLINE)).hasSize(1);
        assertThat(HandledEvents.handled(mongo, AgencyKinds.HANDLER, broken)).isFalse();
        assertThat(agencyKinds.find(subject)).isEmpty();
    }
}
