package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralReceived;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.events.ProjectionFeed;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Generations;
import org.pathways.testing.StoreCommands;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * What consuming one referral event costs in store round trips (issue 14: consumption throughput is bound by them on
 * the embedded store): every projection applied to a generation of its own, the commands counted on this thread.
 */
class ProjectionRoundTripsTest extends ProgressionServiceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The projections' collections, {@code p<generation>.<name>}. */
    private static final Predicate<String> PROJECTIONS = collection -> collection.matches("p\\d+\\..*");

    @Autowired
    ProjectionFeed feed;
    @Autowired
    StoreCommands roundTrips;
    @Autowired
    Generations generations;
    @Autowired
    FactStore facts;
    @Autowired
    MongoTemplate mongo;

    private final Generation generation = new Generation(9_000 + (System.nanoTime() & 0xfff));
    private final Instant submittedAt = LocalDate.now(ZoneOffset.UTC).minusDays(1).atTime(9, 0)
            .toInstant(ZoneOffset.UTC);

    @AfterEach
    void drop() {
        generations.drop(generation);
    }

    private long apply(PathwaysEvent event) {
        long before = roundTrips.sentByThisThread(PROJECTIONS);
        feed.apply(received(event), generation);
        return roundTrips.sentByThisThread(PROJECTIONS) - before;
    }

    private ReceivedEvent received(PathwaysEvent event) {
        return new ReceivedEvent(UUID.randomUUID().toString(), EventType.of(event).type(), event.subject(),
                submittedAt, "test", JSON.writeValueAsString(event).getBytes(StandardCharsets.UTF_8), null);
    }

    private long count(String family, String field) {
        return facts.buckets(generation, family, submittedAt.atZone(ZoneOffset.UTC).toLocalDate(),
                        submittedAt.atZone(ZoneOffset.UTC).toLocalDate()).stream()
                .mapToLong(bucket -> bucket.get(field) instanceof Number n ? n.longValue() : 0).sum();
    }

    @Test
    void aBatchOfLifecyclesCostsAFractionOfARoundTripPerEventWithTheFiguresWholeAndCountedOnce() {
        String opportunity = unique("opp");
        String college = unique("college");
        String council = unique("council");
        String learner = unique("lrn");
        int referrals = 50;
        List<ReferralSubmitted> submissions = new ArrayList<>();
        for (int i = 0; i < referrals; i++) {
            submissions.add(new ReferralSubmitted(unique("ref"), learner, opportunity, council, college,
                    Urgency.ROUTINE, submittedAt.plusSeconds(i)));
        }
        // As a backlog arrives: the opportunity and the learner, then each step of every referral (order per key).
        List<ReceivedEvent> batch = new ArrayList<>();
        batch.add(received(new OpportunityPublished(opportunity, college, OpportunityKind.FORMAL_LEARNING, "L3", 12,
                0, submittedAt.minusSeconds(3600))));
        batch.add(received(new LearnerRegistered(learner, council, "LS6", submittedAt.minusSeconds(3600))));
        submissions.forEach(submitted -> batch.add(received(submitted)));
        submissions.forEach(submitted -> batch.add(received(new ReferralReceived(submitted.referralId(), learner,
                opportunity, council, college, ReferralStatus.RECEIVED, null, college,
                submittedAt.plusSeconds(7200)))));
        submissions.forEach(submitted -> batch.add(received(new ReferralAccepted(submitted.referralId(), learner,
                opportunity, council, college, ReferralStatus.ACCEPTED, null, college,
                submittedAt.plusSeconds(3 * 86_400)))));

        long before = roundTrips.sentByThisThread(PROJECTIONS);
        feed.applyBatch(batch, generation);
        long batchRoundTrips = roundTrips.sentByThisThread(PROJECTIONS) - before;
        double perEvent = batchRoundTrips / (double) batch.size();
        System.out.printf("Projection round trips: a batch of %d events %d, %.2f per event%n", batch.size(),
                batchRoundTrips, perEvent);
        // One at a time, a submission costs 10 and any later step 6 (the test below): about 7 per event. A batch
        // once wrote each fact document as its event was applied (about 1.2 per event); now the facts are written
        // with the batch, in one bulk write per collection (152 events: 27 round trips, guard indexes included, on
        // 2026-12-02 and again on 2026-12-03 with the running sums in blocks of days).
        assertThat(perEvent).isLessThanOrEqualTo(0.25);

        assertThat(count("funnel", "submitted")).isEqualTo(referrals);
        assertThat(count("funnel", "received")).isEqualTo(referrals);
        assertThat(count("funnel", "accepted")).isEqualTo(referrals);
        assertThat(facts.buckets(generation, "funnel", submittedAt.atZone(ZoneOffset.UTC).toLocalDate(),
                submittedAt.atZone(ZoneOffset.UTC).toLocalDate())).singleElement().satisfies(bucket -> {
                    assertThat(bucket.getString("kind")).isEqualTo("FORMAL_LEARNING");
                    assertThat(bucket.getString("locality")).isEqualTo("LS6");
                });
        assertThat(count("steps", "referred")).isEqualTo(referrals);

        // The same events again, in another batch and backwards (a replay, out of order): nothing counts twice.
        List<ReceivedEvent> again = new ArrayList<>(batch);
        java.util.Collections.reverse(again);
        feed.applyBatch(again, generation);
        assertThat(count("funnel", "submitted")).isEqualTo(referrals);
        assertThat(count("funnel", "accepted")).isEqualTo(referrals);
        assertThat(count("steps", "referred")).isEqualTo(referrals);
        // Nothing is left pending: every batch's differences were added and cleared.
        assertThat(mongo.count(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("pending").exists(true)),
                generation.collection("referrals"))).isZero();
    }

    @Test
    void aReferralsStepsCostAFewRoundTripsEachWithTheBucketsWrittenInOneBulkWrite() {
        String opportunity = unique("opp");
        String college = unique("college");
        String council = unique("council");
        String learner = unique("lrn");
        apply(new OpportunityPublished(opportunity, college, OpportunityKind.FORMAL_LEARNING, "L3", 12, 0,
                submittedAt.minusSeconds(3600)));
        apply(new LearnerRegistered(learner, council, "LS6", submittedAt.minusSeconds(3600)));
        ReferralSubmitted submitted = new ReferralSubmitted(unique("ref"), learner, opportunity, council, college,
                Urgency.ROUTINE, submittedAt);

        // Another referral first (days before, so in other buckets): the first write to a fact collection declares
        // its guard indexes, once per process.
        apply(new ReferralSubmitted(unique("ref"), learner, opportunity, council, college, Urgency.ROUTINE,
                submittedAt.minusSeconds(3 * 86_400)));
        // Facts read (opportunity kind, locality, referral, milestones awaiting it) and written, funnel and steps
        // buckets incremented together, both new buckets indexed together, pending differences cleared; counts.
        long submitting = apply(submitted);
        long receiving = apply(new ReferralReceived(submitted.referralId(), learner, opportunity, council, college,
                ReferralStatus.RECEIVED, null, college, submittedAt.plusSeconds(7200)));
        long accepting = apply(new ReferralAccepted(submitted.referralId(), learner, opportunity, council, college,
                ReferralStatus.ACCEPTED, null, college, submittedAt.plusSeconds(3 * 86_400)));

        System.out.printf("Projection round trips: submitted %d, received %d, accepted %d%n", submitting, receiving,
                accepting);
        // Before: one store round trip per bucket and per day index (12 for the submission), and the referral's facts
        // read twice for every step (7 each). Since the counters record their events' ids (counted once after a
        // crash before the inbox's mark), one at a time each counter is read before its write: one more for the day's
        // count, and for a submission one more for the agencies' flow (10 / 6 / 6 before that). A batch reads them
        // all ahead at once (the batch test below).
        assertThat(submitting).isLessThanOrEqualTo(12);
        // The first duration on this day creates running-sum nodes (ReferralProjection.DURATIONS): their day indexes
        // cost one bulk write more, once.
        assertThat(receiving).isLessThanOrEqualTo(8);
        assertThat(accepting).isLessThanOrEqualTo(7);

        // The figures are whole: the referral counted once in its funnel bucket, found through the day's index.
        var buckets = facts.buckets(generation, "funnel", submittedAt.atZone(ZoneOffset.UTC).toLocalDate(),
                submittedAt.atZone(ZoneOffset.UTC).toLocalDate());
        assertThat(buckets).singleElement().satisfies(bucket -> {
            assertThat(bucket.get("submitted", Number.class).longValue()).isEqualTo(1);
            assertThat(bucket.get("received", Number.class).longValue()).isEqualTo(1);
            assertThat(bucket.get("accepted", Number.class).longValue()).isEqualTo(1);
            assertThat(bucket.getString("kind")).isEqualTo("FORMAL_LEARNING");
            assertThat(bucket.getString("locality")).isEqualTo("LS6");
        });
        assertThat(facts.buckets(generation, "steps", submittedAt.atZone(ZoneOffset.UTC).toLocalDate(),
                submittedAt.atZone(ZoneOffset.UTC).toLocalDate())).hasSize(1);
        // Each day index lists its buckets: the funnel's and the steps' of each referral's day, and the learner's
        // registration's.
        assertThat(mongo.findAll(Document.class, generation.collection(FactStore.DAYS)).stream()
                .map(day -> day.getString("_id")).filter(day -> !day.startsWith("durations"))
                .map(day -> day.substring(0, day.lastIndexOf('|'))).distinct()).hasSize(5);
    }

    @Test
    void aGenerationDroppedAndMadeAgainIsGuardedAgain() {
        String opportunity = unique("opp");
        String learner = unique("lrn");
        apply(new ReferralSubmitted(unique("ref"), learner, opportunity, unique("council"), unique("college"),
                Urgency.ROUTINE, submittedAt));
        assertThat(guardIndexes()).contains(List.of("_id", "v"), List.of("_id", "v", "pendingAt"));

        // An abandoned rebuild's generation: dropped, then made again under the same number by the next rebuild.
        generations.drop(generation);
        apply(new ReferralSubmitted(unique("ref"), learner, opportunity, unique("council"), unique("college"),
                Urgency.ROUTINE, submittedAt));
        // Without them the embedded store reads the whole collection for every guarded write.
        assertThat(guardIndexes()).contains(List.of("_id", "v"), List.of("_id", "v", "pendingAt"));
    }

    private List<List<String>> guardIndexes() {
        return mongo.indexOps(generation.collection("referrals")).getIndexInfo().stream()
                .map(index -> index.getIndexFields().stream()
                        .map(org.springframework.data.mongodb.core.index.IndexField::getKey).toList())
                .toList();
    }
}
