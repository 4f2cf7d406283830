package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pathways.referral.sla.OverdueReferrals;
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

    @AfterEach
    void backToNow() {
        clock.reset();
    }

    private static Set<String> breachesRaisedFor(String id) {
        List<ConsumerRecord<String, byte[]>> raised = referrals.settle(
                r -> id.equals(r.key()) && typeOf(r).equals("org.pathways.referral.overdue.v1"),
                Duration.ofSeconds(2));
        // Counted by event id: at-least-once delivery may repeat a record, never a breach.
        return raised.stream().map(r -> JSON.readTree(r.value()))
                .collect(Collectors.toMap(e -> e.get("id").asString(), e -> e.get("data").get("breach").asString(),
                        (a, b) -> a))
                .values().stream().collect(Collectors.toSet());
    }

    private static long overdueEventIds(String id) {
        return referrals.settle(r -> id.equals(r.key()) && typeOf(r).equals("org.pathways.referral.overdue.v1"),
                Duration.ofMillis(500)).stream().map(r -> JSON.readTree(r.value()).get("id").asString())
                .distinct().count();
    }

    @Test
    void anUnansweredReferralRaisesEachBreachOnceAndShowsAsOverdue() {
        JsonNode referral = submitted(consentedLearnerAndPublishedCourse(20, 0));
        String id = referral.get("id").asString();
        Instant submittedAt = Instant.parse(referral.get("submittedAt").asString());
        Instant acknowledgeBy = Instant.parse(referral.get("acknowledgeBy").asString());
        Instant decideBy = Instant.parse(referral.get("decideBy").asString());
        // 2 and 5 working days: at least 2 and 5 calendar days, never more than a weekend longer.
        assertThat(Duration.between(submittedAt, acknowledgeBy).toDays()).isBetween(2L, 4L);
        assertThat(Duration.between(submittedAt, decideBy).toDays()).isBetween(5L, 9L);

        overdue.raiseOverdue();
        assertThat(overdueEventIds(id)).isZero();

        clock.advance(Duration.between(submittedAt, acknowledgeBy).plusMinutes(1));
        overdue.raiseOverdue();
        assertThat(breachesRaisedFor(id)).containsExactly("ACKNOWLEDGE");
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
        JsonNode decide = referrals.settle(r -> id.equals(r.key()) && new String(r.value()).contains("\"DECIDE\""),
                Duration.ofMillis(200)).stream().map(r -> JSON.readTree(r.value())).findFirst().orElseThrow();
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
}
