package org.pathways.progression.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.platform.security.Role;
import org.pathways.progression.ProgressionServiceTest;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Generations;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.StoreFaults;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import tools.jackson.databind.JsonNode;

/**
 * What becomes of a rebuild whose holder is slow or dies of an error while it copies, as the platform admin sees it
 * through the rebuild's status and a coordinator through the figures: a batch slower than the lease still ends in a
 * complete copy written by its one holder; a holder whose thread dies of an {@link Error} records that it stopped, so
 * that the rebuild is taken over; one whose holders stop three times is given up, and left so by the check, while one
 * whose third attempt fails of an exception is not; and a failure after the switch over leaves the rebuilt figures live
 * and the rebuild done.
 */
class RebuildHoldersTest extends ProgressionServiceTest {

    private static final String COORDINATOR = TestTokens.token("coord-1", "partnership", Role.COORDINATOR);
    private static final String PLATFORM_ADMIN = TestTokens.token("admin-1", "pathways", Role.PLATFORM_ADMIN);
    private static final int REFERRALS = 60;

    @Autowired
    ApplicationContext context;
    @Autowired
    ProjectionRebuild rebuild;
    @Autowired
    Generations generations;
    @Autowired
    MongoTemplate mongo;

    private final LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(2);
    private String college;

    @BeforeEach
    void referralsCountedLive() {
        college = unique("college");
        String council = unique("council");
        String course = unique("opp");
        Instant submittedAt = day.atTime(10, 0).toInstant(ZoneOffset.UTC);
        try (EventProducer producer = new EventProducer()) {
            for (int i = 0; i < REFERRALS; i++) {
                producer.publish(new ReferralSubmitted(unique("ref"), unique("lrn"), course, council, college,
                        Urgency.ROUTINE, submittedAt));
            }
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(funnel().get("total")
                .get("submitted").asLong(-1)).isEqualTo(REFERRALS));
        // No rebuild left running or given up by an earlier test.
        await().atMost(Duration.ofMinutes(5)).until(() -> !running(rebuild.status().state()));
    }

    @Test
    void aBatchSlowerThanTheLeaseStillEndsInACompleteCopyWrittenByItsOneHolder() {
        JsonNode live = funnel();
        // Long enough for the consumer's set-up on a loaded machine (the lease runs from the claim, before it).
        Duration lease = Duration.ofSeconds(10);
        AtomicInteger applied = new AtomicInteger();
        CountDownLatch pastTheLease = new CountDownLatch(1);
        // The replay's first batch writes its first 50 events at 300 ms each: 15 s, more than the lease; the check
        // below comes 13.5 s into it.
        ProjectionRebuild slow = AnotherInstance.of(context, lease, applying(generation -> {
            int count = applied.incrementAndGet();
            if (count <= 50) {
                pause(Duration.ofMillis(300));
            }
            if (count == 45) {
                pastTheLease.countDown();
            }
        }));
        Generation copy = new Generation(slow.start().generation());
        awaitLatch(pastTheLease);

        // Well past the lease since the rebuild began, within its first batch: this instance's check finds the
        // rebuild still held by the slow one, and leaves it; a request here answers 409.
        rebuild.rebuildIfDue();
        ProjectionRebuild.Status here = rebuild.status();
        assertThat(here.state()).isEqualTo(ProjectionRebuild.State.REPLAYING);
        assertThat(here.generation()).as("the slow instance's copy, no second one").isEqualTo(copy.number());
        assertThat(api().post("/api/progression/rebuild", PLATFORM_ADMIN, Map.of()).isProblem(409, "rebuild-running"))
                .isTrue();

        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(slow.status().state()).isEqualTo(ProjectionRebuild.State.SWITCHED));
        assertThat(applied.get()).isGreaterThan(50);
        assertThat(generations.active()).isEqualTo(copy);
        assertThat(adminStatus().get("generation").asLong()).isEqualTo(copy.number());
        assertThat(claim().get("attempts")).as("never taken over").isEqualTo(1);
        assertThat(funnel()).as("every event copied, as a rebuild from scratch counts them").isEqualTo(live);
    }

    @Test
    void anInstanceWhoseRebuildDiesOfAnErrorRecordsThatItStoppedAndItsNextCheckTakesTheRebuildOver() {
        JsonNode live = funnel();
        AtomicInteger errors = new AtomicInteger();
        // A projection overflows its stack once, on the first event the rebuild applies.
        ProjectionRebuild instance = AnotherInstance.of(context, applying(generation -> {
            if (errors.getAndIncrement() == 0) {
                throw new StackOverflowError();
            }
        }));
        long first = instance.start().generation();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ProjectionRebuild.Status stopped = instance.status();
            assertThat(stopped.state()).as("left to be taken over").isEqualTo(ProjectionRebuild.State.REPLAYING);
            assertThat(stopped.failure()).isEqualTo("StackOverflowError");
            assertThat(stopped.progress()).as("running nowhere").isNull();
        });
        JsonNode seen = adminStatus();
        assertThat(seen.get("state").asString()).isEqualTo("REPLAYING");
        assertThat(seen.get("failure").asString()).isEqualTo("StackOverflowError");
        assertThat(claim().get("leaseOwner")).as("its claim given back").isNull();
        assertThat(generations.recordedCatchingUp()).isEmpty();

        // Its own next check takes the rebuild over (a second attempt) and finishes it.
        instance.rebuildIfDue();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(instance.status().state()).isEqualTo(ProjectionRebuild.State.SWITCHED));
        assertThat(generations.active().number()).isGreaterThan(first);
        assertThat(adminStatus().get("failure").isNull()).isTrue();
        assertThat(claim().get("attempts")).isEqualTo(2);
        assertThat(funnel()).isEqualTo(live);
    }

    @Test
    void aRebuildWhoseHoldersStopThreeTimesIsReportedFailedAndTheCheckLeavesItSoUntilAskedAgain() {
        JsonNode live = funnel();
        Generation before = generations.active();
        AtomicInteger stops = new AtomicInteger();
        // Every attempt dies of the same error at its first event.
        ProjectionRebuild instance = AnotherInstance.of(context, applying(generation -> {
            stops.incrementAndGet();
            throw new StackOverflowError();
        }));
        instance.start();
        for (int attempt = 1; attempt <= ProjectionRebuild.ATTEMPTS_AT_MOST; attempt++) {
            int stopped = attempt;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(stops.get()).isEqualTo(stopped);
                assertThat(instance.status().failure()).isEqualTo("StackOverflowError");
            });
            assertThat(claim().get("attempts")).isEqualTo(attempt);
            // The next check takes it over; the one after the third stop gives it up.
            instance.rebuildIfDue();
        }

        JsonNode failed = adminStatus();
        assertThat(failed.get("state").asString()).isEqualTo("FAILED");
        assertThat(failed.get("failure").asString()).contains("3 times").contains("ask for a rebuild");
        assertThat(stops.get()).as("no fourth attempt").isEqualTo(ProjectionRebuild.ATTEMPTS_AT_MOST);
        assertThat(generations.active()).isEqualTo(before);
        assertThat(funnel()).as("the live figures untouched").isEqualTo(live);

        // Figures of an older version, which a check would otherwise rebuild: every instance's check leaves it.
        mongo.updateFirst(Query.query(Criteria.where("_id").is("state")), new Update().unset("derivation"),
                "projection-generations");
        rebuild.rebuildIfDue();
        instance.rebuildIfDue();
        assertThat(rebuild.status().state()).isEqualTo(ProjectionRebuild.State.FAILED);
        assertThat(adminStatus().get("state").asString()).isEqualTo("FAILED");
        assertThat(stops.get()).isEqualTo(ProjectionRebuild.ATTEMPTS_AT_MOST);
        assertThat(generations.active()).isEqualTo(before);

        // A platform admin asks again once the cause is mended: it starts afresh, and rebuilds.
        HttpApi.Response again = api().post("/api/progression/rebuild", PLATFORM_ADMIN, Map.of());
        assertThat(again.status()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(adminStatus().get("state").asString()).isEqualTo("SWITCHED"));
        assertThat(claim().get("attempts")).isEqualTo(1);
        assertThat(generations.derivation()).isEqualTo(Generations.DERIVATION);
        assertThat(funnel()).isEqualTo(live);
    }

    @Test
    void aRebuildWhoseThirdAttemptFailsOfAnExceptionIsNotGivenUpAndTheCheckRebuildsOlderFigures() {
        JsonNode live = funnel();
        AtomicInteger attempts = new AtomicInteger();
        // The first two attempts die of an error at their first event; the third fails of an exception there once
        // (the store not answering, say), which its holder handles.
        ProjectionRebuild instance = AnotherInstance.of(context, applying(generation -> {
            int attempt = attempts.incrementAndGet();
            if (attempt < ProjectionRebuild.ATTEMPTS_AT_MOST) {
                throw new StackOverflowError();
            }
            if (attempt == ProjectionRebuild.ATTEMPTS_AT_MOST) {
                throw new IllegalStateException("the store did not answer");
            }
        }));
        instance.start();
        for (int attempt = 1; attempt < ProjectionRebuild.ATTEMPTS_AT_MOST; attempt++) {
            int stopped = attempt;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(attempts.get()).isEqualTo(stopped);
                assertThat(instance.status().failure()).isEqualTo("StackOverflowError");
            });
            instance.rebuildIfDue();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(adminStatus().get("state").asString()).isEqualTo("FAILED"));
        assertThat(adminStatus().get("failure").asString()).isEqualTo("IllegalStateException");
        assertThat(claim().get("attempts")).isEqualTo(ProjectionRebuild.ATTEMPTS_AT_MOST);
        assertThat(claim().get("givenUp")).isNull();

        // Figures of an older version: the check rebuilds them, as after any failure that is not a give-up.
        mongo.updateFirst(Query.query(Criteria.where("_id").is("state")), new Update().unset("derivation"),
                "projection-generations");
        rebuild.rebuildIfDue();
        assertThat(rebuild.status().state()).as("not left as given up").isNotEqualTo(ProjectionRebuild.State.FAILED);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(adminStatus().get("state").asString()).isEqualTo("SWITCHED"));
        assertThat(claim().get("attempts")).isEqualTo(1);
        assertThat(generations.derivation()).isEqualTo(Generations.DERIVATION);
        assertThat(funnel()).isEqualTo(live);
    }

    @Test
    void aStoreFailureRightAfterTheSwitchOverLeavesTheRebuiltFiguresLiveAndTheRebuildDone() {
        JsonNode live = funnel();
        Generation before = generations.active();
        ProjectionRebuild instance = AnotherInstance.of(context, RebuildCheckpoint.NONE);
        // The store does not answer the rebuild's drop of the generation it replaces, right after the switch over.
        try (StoreFaults.Fault dropFails = StoreFaults.failNext("projection-rebuild",
                before.collection(FactStore.BUCKETS), 1)) {
            Generation copy = new Generation(instance.start().generation());
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() ->
                    !running(instance.status().state()));
            assertThat(dropFails.injected()).as("the drop failed").isEqualTo(1);
            assertThat(generations.active()).isEqualTo(copy);
            assertThat(funnel()).as("the live figures kept").isEqualTo(live);
            assertThat(instance.status().state()).isEqualTo(ProjectionRebuild.State.SWITCHED);
            JsonNode seen = adminStatus();
            assertThat(seen.get("state").asString()).as("done, not failed").isEqualTo("SWITCHED");
            assertThat(seen.get("generation").asLong()).isEqualTo(copy.number());
            assertThat(claim().get("leaseOwner")).as("its claim given back").isNull();
        }
    }

    @Test
    void aRebuildWhoseInstanceStoppedRightAfterItsSwitchOverIsRecordedDoneByTheNextCheck() {
        JsonNode live = funnel();
        Generation active = generations.active();
        // As an instance leaves it that switched over and then could not give its claim back: its lease ran out
        // with the rebuild recorded as catching up into the generation now live.
        mongo.upsert(Query.query(Criteria.where("_id").is(ProjectionRebuild.CLAIM)), new Update()
                .set("state", "CATCHING_UP").set("generation", active.number()).set("attempts", 1)
                .set("leaseOwner", "stopped-instance").set("leaseUntil", java.util.Date.from(Instant.now()
                        .minusSeconds(1))), ProjectionRebuild.CLAIMS);

        rebuild.rebuildIfDue();
        assertThat(rebuild.status().state()).as("done, not rebuilt again").isEqualTo(ProjectionRebuild.State.SWITCHED);
        assertThat(adminStatus().get("state").asString()).isEqualTo("SWITCHED");
        assertThat(generations.active()).isEqualTo(active);
        assertThat(claim().get("leaseOwner")).isNull();
        assertThat(funnel()).isEqualTo(live);
    }

    private static RebuildCheckpoint applying(Consumer<Generation> fault) {
        return new RebuildCheckpoint() {
            @Override
            public void reached(ProjectionRebuild.State state, Generation generation) {
            }

            @Override
            public void applying(Generation generation) {
                fault.accept(generation);
            }
        };
    }

    private static boolean running(ProjectionRebuild.State state) {
        return state == ProjectionRebuild.State.REPLAYING || state == ProjectionRebuild.State.CATCHING_UP;
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(2, TimeUnit.MINUTES)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private JsonNode funnel() {
        HttpApi.Response response = api().get("/api/progression/funnel?from=" + day + "&to="
                + LocalDate.now(ZoneOffset.UTC) + "&receivingAgencyId=" + college, COORDINATOR);
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }

    private JsonNode adminStatus() {
        HttpApi.Response response = api().get("/api/progression/rebuild", PLATFORM_ADMIN);
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }

    private Document claim() {
        return mongo.findById(ProjectionRebuild.CLAIM, Document.class, ProjectionRebuild.CLAIMS);
    }
}
