package org.pathways.referral.rerouting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.referral.CrashingRerouteCheckpoint;
import org.pathways.referral.ReferralServiceTest;
import org.pathways.testing.HttpApi;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A re-route writes two referrals; a process killed between the writes must not leave the learner with two open
 * referrals. The crash is put between the writes ({@link CrashingRerouteCheckpoint}); recovery then undoes the
 * half-done re-route, and the worker's retry re-routes once.
 */
class ReroutingCrashTest extends ReferralServiceTest {

    @Autowired
    CrashingRerouteCheckpoint crash;
    @Autowired
    RerouteRecovery recovery;
    @Autowired
    ReroutesInProgress inProgress;

    @Test
    void aRerouteInterruptedBetweenItsWritesIsUndoneSoExactlyOneReferralStaysOpen() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode received = step(worker(COLLEGE), submitted(s), "RECEIVE", null);
        String originalId = received.get("id").asString();
        String adultLearning = "agency-adult-" + UUID.randomUUID().toString().substring(0, 8);
        Scenario elsewhere = consentedLearnerAndPublishedCourse(adultLearning, 10, 0);
        grantConsent(s.learnerId(), "cns-" + UUID.randomUUID(), adultLearning);
        Map<String, Object> reroute = Map.of("opportunityId", elsewhere.opportunityId(),
                "version", received.get("version").asLong());

        crash.crashNextReroute();
        HttpApi.Response crashed = await().atMost(DEADLINE).until(
                () -> api().post("/api/referrals/" + originalId + "/reroute", worker(COLLEGE), reroute),
                r -> r.status() != 422);
        assertThat(crashed.status()).as(crashed.toString()).isEqualTo(500);
        String halfDone = crash.successorLeftBehind();
        // The state the crash leaves: the successor written and open beside the original.
        assertThat(status(halfDone, adultLearning)).isEqualTo("SUBMITTED");
        assertThat(status(originalId, COUNCIL)).isEqualTo("RECEIVED");

        // Within its grace period a re-route counts as still in flight: recovery leaves it alone.
        assertThat(recovery.recoverStartedBefore(Duration.ofHours(1))).isZero();
        assertThat(recovery.recoverStartedBefore(Duration.ZERO)).isEqualTo(1);

        assertThat(status(halfDone, adultLearning)).isEqualTo("CANCELLED");
        JsonNode original = api().get("/api/referrals/" + originalId, worker(COUNCIL)).body();
        assertThat(original.get("status").asString()).isEqualTo("RECEIVED");
        assertThat(original.path("nextReferralId").isMissingNode() || original.get("nextReferralId").isNull())
                .as(original.toString()).isTrue();
        JsonNode undone = eventsOf(halfDone, "cancelled", 1).getFirst().get("data");
        assertThat(undone.get("reason").asString()).isEqualTo("REROUTED");
        assertThat(distinctTypes(halfDone)).containsExactly("submitted", "cancelled");
        assertThat(inProgress.startedBefore(java.time.Instant.now().plusSeconds(60)))
                .noneMatch(row -> row.nextId().equals(halfDone));

        // The worker tries again with the referral as it now stands: one re-route, one open referral.
        HttpApi.Response retried = api().post("/api/referrals/" + originalId + "/reroute", worker(COLLEGE),
                Map.of("opportunityId", elsewhere.opportunityId(), "version", original.get("version").asLong()));
        assertThat(retried.status()).as(retried.toString()).isEqualTo(201);
        String nextId = retried.body().get("id").asString();
        assertThat(status(originalId, COUNCIL)).isEqualTo("CANCELLED");
        assertThat(status(nextId, adultLearning)).isEqualTo("SUBMITTED");
        assertThat(status(halfDone, adultLearning)).isEqualTo("CANCELLED");
        assertThat(eventsOf(originalId, "cancelled", 1)).hasSize(1);
        assertThat(eventsOf(nextId, "submitted", 1).getFirst().get("data").get("previousReferralId").asString())
                .isEqualTo(originalId);
    }

    private String status(String referralId, String party) {
        HttpApi.Response referral = api().get("/api/referrals/" + referralId, worker(party));
        assertThat(referral.status()).as(referral.toString()).isEqualTo(200);
        return referral.text("status");
    }

    /**
     * The short types of a referral's events recorded so far, each event id once, in the order they were published
     * (complete once its last event was seen: one referral's events are relayed in order, onto one partition).
     */
    private static List<String> distinctTypes(String referralId) {
        return referrals.await(r -> referralId.equals(r.key()), 0, Duration.ZERO).stream()
                .map(r -> JSON.readTree(r.value()))
                .collect(java.util.stream.Collectors.toMap(e -> e.get("id").asString(), e -> e, (a, b) -> a,
                        java.util.LinkedHashMap::new))
                .values().stream()
                .map(e -> e.get("type").asString().replace("org.pathways.referral.", "").replace(".v1", ""))
                .toList();
    }
}
