package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;

import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pathways.events.PathwaysEvent;
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
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * What consuming one referral event costs in store round trips (issue 14: consumption throughput is bound by them on
 * the embedded store): every projection applied to a generation of its own, the commands counted on this thread.
 */
class ProjectionRoundTripsTest extends ProgressionServiceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    ProjectionFeed feed;
    @Autowired
    StoreRoundTrips roundTrips;
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
        long before = roundTrips.ofThisThread();
        feed.apply(new ReceivedEvent(UUID.randomUUID().toString(), event.publishedType().type(), event.subject(),
                submittedAt, "test", JSON.writeValueAsString(event).getBytes(StandardCharsets.UTF_8), null),
                generation);
        return roundTrips.ofThisThread() - before;
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
        // read twice for every step (7 each).
        assertThat(submitting).isLessThanOrEqualTo(10);
        assertThat(receiving).isLessThanOrEqualTo(6);
        assertThat(accepting).isLessThanOrEqualTo(6);

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
        // Each day index lists its buckets: the funnel's, the steps', and the learner's registration's.
        assertThat(mongo.findAll(Document.class, generation.collection(FactStore.DAYS))).hasSize(3);
    }
}
