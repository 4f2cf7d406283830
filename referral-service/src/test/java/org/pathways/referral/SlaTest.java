package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.referral.sla.OverdueReferrals;
import org.pathways.referral.sla.ResponseTimes;
import org.pathways.referral.sla.WorkingCalendar;
import org.pathways.testing.MutableClock;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The partnership's response times: an overdue event once per breach, however often the check runs. */
class SlaTest extends ReferralServiceTest {

    @Autowired
    MutableClock clock;
    @Autowired
    OverdueReferrals overdue;
    @Autowired
    LockProvider locks;
    @Autowired
    ResponseTimes responseTimes;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private double overdueCounted(String breach) {
        io.micrometer.core.instrument.Counter counter = meters.find("pathways.referrals.overdue").tag("breach", breach)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @AfterEach
    void backToNow() {
        clock.reset();
    }

    /** The overdue events raised for a referral so far (distinct by event id; proved complete by a marker). */
    private List<JsonNode> overdueEvents(String id) {
        // The marker note is the council's: it registered the learner, so it has standing whatever the college's.
        return eventsSoFar(id, COUNCIL).stream()
                .filter(e -> e.get("type").asString().equals("org.pathways.referral.overdue.v1")).toList();
    }

    private Set<String> breachesRaisedFor(String id) {
        return overdueEvents(id).stream().map(e -> e.get("data").get("breach").asString())
                .collect(Collectors.toSet());
    }

    private long overdueEventIds(String id) {
        return overdueEvents(id).size();
    }

    @Test
    void anUnansweredReferralRaisesEachBreachOnceAndShowsAsOverdue() {
        JsonNode referral = submitted(consentedLearnerAndPublishedCourse(20, 0));
        String id = referral.get("id").asString();
        Instant submittedAt = Instant.parse(referral.get("submittedAt").asString());
        Instant acknowledgeBy = Instant.parse(referral.get("acknowledgeBy").asString());
        Instant decideBy = Instant.parse(referral.get("decideBy").asString());
        // 2 and 5 working days: at least 2 and 5 calendar days, more across a weekend or the bank holidays (the
        // service's calendar, which knows them, says how many on the day the test runs).
        assertThat(Duration.between(submittedAt, acknowledgeBy).toDays()).isGreaterThanOrEqualTo(2L);
        assertThat(Duration.between(submittedAt, decideBy).toDays()).isGreaterThanOrEqualTo(5L);
        assertThat(acknowledgeBy).isEqualTo(responseTimes.calendar().plusWorkingDays(submittedAt, 2));
        assertThat(decideBy).isEqualTo(responseTimes.calendar().plusWorkingDays(submittedAt, 5));

        overdue.raiseOverdue();
        assertThat(overdueEventIds(id)).isZero();

        double acknowledgeCountedBefore = overdueCounted("ACKNOWLEDGE");
        clock.advance(Duration.between(submittedAt, acknowledgeBy).plusMinutes(1));
        overdue.raiseOverdue();
        assertThat(breachesRaisedFor(id)).containsExactly("ACKNOWLEDGE");
        // Operators see the breach too (the alert on pathways_referrals_overdue_total watches it).
        assertThat(overdueCounted("ACKNOWLEDGE")).isGreaterThan(acknowledgeCountedBefore);
        assertThat(api().get("/api/referrals?direction=incoming&overdue=true&limit=100", worker(COLLEGE)).body()
                .get("items").toString()).contains(id);

        overdue.raiseOverdue();
        assertThat(overdueEventIds(id)).isEqualTo(1);

        // Acknowledged late, but still undecided when the decision is due.
        step(worker(COLLEGE), api().get("/api/referrals/" + id, worker(COLLEGE)).body(), "RECEIVE", null);
        clock.advance(Duration.between(acknowledgeBy, decideBy));
        overdue.raiseOverdue();
        overdue.raiseOverdue();
        assertThat(breachesRaisedFor(id)).containsExactlyInAnyOrder("ACKNOWLEDGE", "DECIDE");
        assertThat(overdueEventIds(id)).isEqualTo(2);
        JsonNode decide = overdueEvents(id).stream()
                .filter(e -> e.get("data").get("breach").asString().equals("DECIDE")).findFirst().orElseThrow();
        assertThat(decide.get("data").get("status").asString()).isEqualTo("RECEIVED");
        assertThat(decide.get("data").get("receivingAgencyId").asString()).isEqualTo(COLLEGE);
    }

    @Test
    void whileAnotherInstanceHoldsTheLockThisOneSkipsTheCheck() {
        JsonNode referral = submitted(consentedLearnerAndPublishedCourse(20, 0));
        String id = referral.get("id").asString();
        clock.advance(Duration.ofDays(10));
        SimpleLock otherInstance = locks.lock(new LockConfiguration(Instant.now(), "referral-sla-check",
                Duration.ofMinutes(1), Duration.ZERO)).orElseThrow();
        try {
            overdue.raiseOverdue();
            assertThat(overdueEventIds(id)).isZero();
        } finally {
            otherInstance.unlock();
        }
        overdue.raiseOverdue();
        assertThat(breachesRaisedFor(id)).containsExactlyInAnyOrder("ACKNOWLEDGE", "DECIDE");
    }

    @Test
    void aReferralAnsweredInTimeIsNeverOverdue() {
        JsonNode referral = submitted(consentedLearnerAndPublishedCourse(20, 0));
        String id = referral.get("id").asString();
        step(worker(COLLEGE), step(worker(COLLEGE), referral, "RECEIVE", null), "ACCEPT", null);
        clock.advance(Duration.ofDays(30));
        overdue.raiseOverdue();
        assertThat(overdueEventIds(id)).isZero();
    }

    @Test
    void theClocksPauseWhileOnHoldAndTheMovedDeadlineIsBreachedOnce() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode referral = submitted(s);
        String id = referral.get("id").asString();
        // As stored (the store keeps milliseconds).
        Instant acknowledgeBy = Instant.parse(referral.get("acknowledgeBy").asString()).truncatedTo(ChronoUnit.MILLIS);
        Instant decideBy = Instant.parse(referral.get("decideBy").asString()).truncatedTo(ChronoUnit.MILLIS);

        // Consent withdrawn before the college answered: the platform holds the referral, and its clocks stop.
        events.publish(new ConsentWithdrawn(s.learnerId(), s.consentId(), COLLEGE, ConsentPurpose.REFERRAL_SHARING,
                Instant.now()));
        org.awaitility.Awaitility.await().atMost(DEADLINE).until(
                () -> api().get("/api/referrals/" + id, worker(COLLEGE)).text("status").equals("ON_HOLD"));
        clock.advance(Duration.ofDays(3));
        overdue.raiseOverdue();
        assertThat(overdueEventIds(id)).isZero();

        // Consent again, resumed three days later: the deadlines move on by the working time spent on hold.
        grantConsent(s.learnerId(), "cns-" + java.util.UUID.randomUUID(), COLLEGE);
        JsonNode held = api().get("/api/referrals/" + id, worker(COLLEGE)).body();
        JsonNode resumed = org.awaitility.Awaitility.await().atMost(DEADLINE).until(
                () -> transition(worker(COLLEGE), held, "RESUME", null, null), r -> r.status() == 200).body();
        assertThat(resumed.get("status").asString()).isEqualTo("SUBMITTED");
        JsonNode history = resumed.get("history");
        Instant heldAt = Instant.parse(history.get(history.size() - 2).get("at").asString());
        Instant resumedAt = Instant.parse(history.get(history.size() - 1).get("at").asString());
        WorkingCalendar calendar = responseTimes.calendar();
        Instant movedAcknowledgeBy = Instant.parse(resumed.get("acknowledgeBy").asString());
        assertThat(movedAcknowledgeBy)
                .isEqualTo(calendar.plus(acknowledgeBy, calendar.between(heldAt, resumedAt)))
                .isAfter(resumedAt);
        assertThat(Instant.parse(resumed.get("decideBy").asString()))
                .isEqualTo(calendar.plus(decideBy, calendar.between(heldAt, resumedAt)));

        clock.advance(Duration.between(resumedAt, movedAcknowledgeBy).minusMinutes(1));
        overdue.raiseOverdue();
        assertThat(overdueEventIds(id)).isZero();
        clock.advance(Duration.ofMinutes(2));
        overdue.raiseOverdue();
        overdue.raiseOverdue();
        assertThat(breachesRaisedFor(id)).containsExactly("ACKNOWLEDGE");
        assertThat(overdueEventIds(id)).isEqualTo(1);
    }
}
