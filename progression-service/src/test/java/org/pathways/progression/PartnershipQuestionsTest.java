package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.pathways.messaging.lease.DocumentLeases;
import org.pathways.progression.rebuild.KilledRebuild;
import org.pathways.progression.rebuild.ProjectionRebuild;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Generations;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.junit.jupiter.api.Test;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.delivery.WebhookDelivered;
import org.pathways.events.delivery.WebhookParked;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.learner.MilestoneRecorded;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralCompleted;
import org.pathways.events.referral.ReferralReason;
import org.pathways.events.referral.ReferralReceived;
import org.pathways.events.referral.ReferralRejected;
import org.pathways.events.referral.ReferralStarted;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.platform.security.Role;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.MutableClock;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/**
 * The partnership's questions answered from a known history of events, including repeats (the same event id twice,
 * and the same fact under another event id) and events out of order (a referral's events backwards, a follow-on
 * referral before the one it follows, learners and an opportunity's kind published after their referrals); then a
 * rebuild from the topics gives the same figures.
 */
class PartnershipQuestionsTest extends ProgressionServiceTest {

    private static final String COORDINATOR = TestTokens.token("coord-1", "partnership", Role.COORDINATOR);
    private static final String PLATFORM_ADMIN = TestTokens.token("admin-1", "pathways", Role.PLATFORM_ADMIN);
    private static final Duration HOUR = Duration.ofHours(1);

    @Autowired
    MongoTemplate mongo;
    @Autowired
    Generations generations;
    @Autowired
    ProjectionRebuild rebuild;
    @Autowired
    MutableClock clock;
    @Autowired
    ApplicationContext context;

    private final LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(7);
    private final Instant submittedAt = day.atTime(9, 0).toInstant(ZoneOffset.UTC);
    private final String window = "from=" + day + "&to=" + LocalDate.now(ZoneOffset.UTC);

    private String council;
    private String jobcentre;
    private String college;
    private String provider;
    private String course;
    private String nextCourse;
    private String here;
    private String there;

    @BeforeEach
    void partnership() {
        council = unique("council");
        jobcentre = unique("jobcentre");
        college = unique("college");
        provider = unique("provider");
        course = unique("opp");
        nextCourse = unique("opp");
        here = unique("LS6");
        there = unique("LS2");
    }

    private static <T> T transition(Class<T> type, ReferralSubmitted referral, ReferralStatus status,
                                    ReferralReason reason, Instant at) {
        try {
            return type.getConstructor(String.class, String.class, String.class, String.class, String.class,
                            ReferralStatus.class, ReferralReason.class, String.class, Instant.class)
                    .newInstance(referral.referralId(), referral.learnerId(), referral.opportunityId(),
                            referral.referringAgencyId(), referral.receivingAgencyId(), status, reason,
                            referral.receivingAgencyId(), at);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Six learners here referred by the council to the college's course: each received after 2 h, accepted after a
     * day, started and completed; five of them move on to the provider's next course. Ten learners there referred by
     * the jobcentre to the same course, rejected after 3 h: five for want of a place, five as not eligible. Five
     * learners here move from informal to non-formal learning. The college's webhooks: five delivered at once, five
     * after retries, five parked.
     */
    private void publishHistory() {
        try (EventProducer producer = new EventProducer()) {
            List<ReferralSubmitted> completed = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String learner = unique("lrn");
                producer.publish(new LearnerRegistered(learner, council, here, submittedAt.minus(HOUR)));
                ReferralSubmitted referral = new ReferralSubmitted(unique("ref"), learner, course, council, college,
                        Urgency.ROUTINE, submittedAt);
                completed.add(referral);
                List<PathwaysEvent> events = List.of(referral,
                        transition(ReferralReceived.class, referral, ReferralStatus.RECEIVED, null,
                                submittedAt.plus(HOUR.multipliedBy(2))),
                        transition(ReferralAccepted.class, referral, ReferralStatus.ACCEPTED, null,
                                submittedAt.plus(HOUR.multipliedBy(24))),
                        transition(ReferralStarted.class, referral, ReferralStatus.IN_PROGRESS, null,
                                submittedAt.plus(HOUR.multipliedBy(48))),
                        transition(ReferralCompleted.class, referral, ReferralStatus.COMPLETED, null,
                                submittedAt.plus(HOUR.multipliedBy(72))));
                if (i % 2 == 0) {
                    events = events.reversed();
                }
                for (PathwaysEvent event : events) {
                    String id = producer.publish(event);
                    if (i == 1) {
                        producer.publish(id, event);    // redelivered under the same id
                    }
                }
                // The same receipt again under another id, later: the first time it was received still counts.
                producer.publish(transition(ReferralReceived.class, referral, ReferralStatus.RECEIVED, null,
                        submittedAt.plus(HOUR.multipliedBy(5))));
            }
            for (int i = 0; i < 5; i++) {
                ReferralSubmitted previous = completed.get(i);
                producer.publish(new ReferralSubmitted(unique("ref"), previous.learnerId(), nextCourse, college,
                        provider, Urgency.ROUTINE, submittedAt.plus(HOUR.multipliedBy(80)), previous.referralId()));
            }
            List<String> lateLearners = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String learner = unique("lrn");
                lateLearners.add(learner);
                ReferralSubmitted referral = new ReferralSubmitted(unique("ref"), learner, course, jobcentre, college,
                        Urgency.ROUTINE, submittedAt);
                PathwaysEvent rejected = transition(ReferralRejected.class, referral, ReferralStatus.REJECTED,
                        i < 5 ? ReferralReason.NO_CAPACITY : ReferralReason.NOT_ELIGIBLE,
                        submittedAt.plus(HOUR.multipliedBy(3)));
                producer.publish(rejected);     // before its submission
                producer.publish(referral);
                producer.publish(rejected);     // and again, under another id
            }
            // Where those learners live, and what kind the course is, become known only now.
            for (String learner : lateLearners) {
                producer.publish(new LearnerRegistered(learner, jobcentre, there, submittedAt));
            }
            producer.publish(new OpportunityPublished(course, college, OpportunityKind.FORMAL_LEARNING, "L3", 12, 0,
                    submittedAt.plus(HOUR)));
            for (int i = 0; i < 5; i++) {
                String learner = completed.get(i).learnerId();
                MilestoneRecorded nonFormal = new MilestoneRecorded(learner, unique("ms"), "ACHIEVEMENT_GAINED",
                        day.plusDays(2), council, "NON_FORMAL", "E3", false, null, null, Instant.now());
                MilestoneRecorded informal = new MilestoneRecorded(learner, unique("ms"), "ACHIEVEMENT_GAINED",
                        day.plusDays(1), council, "INFORMAL", null, false, null, null, Instant.now());
                producer.publish(nonFormal);
                producer.publish(informal);
                producer.publish(nonFormal);
            }
            for (int i = 0; i < 15; i++) {
                String delivery = unique("dlv");
                Instant at = submittedAt.plus(HOUR.multipliedBy(i));
                if (i < 10) {
                    // Delivered 100 ms, 200 ms ... 1,000 ms after their events happened.
                    WebhookDelivered delivered = new WebhookDelivered(delivery, unique("evt"),
                            "org.pathways.referral.submitted.v1", college, "sub-1", i < 5 ? 1 : 3, 200, at,
                            100L * (i + 1));
                    String id = producer.publish(delivered);
                    producer.publish(id, delivered);
                    if (i == 9) {
                        // Parked meanwhile and delivered again a day later: its time to deliver stays the first.
                        producer.publish(new WebhookDelivered(delivery, unique("evt"),
                                "org.pathways.referral.submitted.v1", college, "sub-1", 1, 200, at.plus(Duration.ofDays(1)),
                                86_400_000L));
                    }
                } else {
                    WebhookParked parked = new WebhookParked(delivery, unique("evt"),
                            "org.pathways.referral.submitted.v1", college, "sub-1", 8, 503, at);
                    producer.publish(parked);
                    producer.publish(parked);
                }
            }
        }
    }

    private JsonNode get(String path) {
        HttpApi.Response response = api().get(path, COORDINATOR);
        assertThat(response.status()).as(path).isEqualTo(200);
        return response.body();
    }

    private JsonNode agency(JsonNode list, String field, String id) {
        for (JsonNode row : list) {
            if (id.equals(row.get(field).asString())) {
                return row;
            }
        }
        return null;
    }

    /** Every figure of this history the partnership's questions give, as JSON text by question. */
    private Map<String, String> figures() {
        Map<String, String> figures = new LinkedHashMap<>();
        figures.put("funnel", get("/api/progression/funnel?period=DAY&" + window + "&receivingAgencyId=" + college)
                .toString());
        figures.put("byReferrer", get("/api/progression/funnel?" + window + "&receivingAgencyId=" + college
                + "&groupBy=REFERRING_AGENCY").get("groups").toString());
        figures.put("byLocality", get("/api/progression/funnel?" + window + "&receivingAgencyId=" + college
                + "&groupBy=LOCALITY").get("groups").toString());
        figures.put("responseTimes", get("/api/progression/response-times?" + window + "&receivingAgencyId="
                + college).toString());
        figures.put("journeys", get("/api/progression/journeys?" + window + "&opportunityId=" + course).toString());
        figures.put("learning", get("/api/progression/learning-progression?" + window + "&localityCode=" + here)
                .toString());
        figures.put("missing", get("/api/progression/missing-provision?" + window + "&localityCode=" + there)
                .toString());
        figures.put("deliveries", String.valueOf(agency(get("/api/progression/delivery-health?" + window)
                .get("agencies"), "agencyId", college)));
        return figures;
    }

    private void awaitHistoryProjected() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode total = get("/api/progression/funnel?" + window + "&receivingAgencyId=" + college).get("total");
            assertThat(total.get("submitted").asLong(-1)).isEqualTo(16);
            assertThat(total.get("completed").asLong(-1)).isEqualTo(6);
            assertThat(total.get("rejected").asLong(-1)).isEqualTo(10);
            JsonNode groups = get("/api/progression/funnel?" + window + "&receivingAgencyId=" + college
                    + "&groupBy=LOCALITY&opportunityKind=FORMAL_LEARNING").get("groups");
            assertThat(agency(groups, "group", there)).isNotNull();
            assertThat(agency(groups, "group", there).get("funnel").get("submitted").asLong(-1)).isEqualTo(10);
            JsonNode step = get("/api/progression/journeys?" + window + "&opportunityId=" + course).get("steps")
                    .get(0);
            assertThat(step.get("movedOn").asLong(-1)).isEqualTo(5);
            assertThat(get("/api/progression/learning-progression?" + window + "&localityCode=" + here)
                    .get("moves").get("INFORMAL->NON_FORMAL").asLong(-1)).isEqualTo(5);
            JsonNode deliveries = agency(get("/api/progression/delivery-health?" + window).get("agencies"),
                    "agencyId", college);
            assertThat(deliveries).isNotNull();
            assertThat(deliveries.get("parked").asLong(-1)).isEqualTo(5);
            assertThat(deliveries.get("delivered").asLong(-1)).isEqualTo(10);
        });
    }

    @Test
    void answersThePartnershipsQuestionsExactlyWhateverTheRepeatsAndOrderAndARebuildGivesTheSameFigures() {
        publishHistory();
        awaitHistoryProjected();

        JsonNode funnel = get("/api/progression/funnel?" + window + "&receivingAgencyId=" + college);
        JsonNode total = funnel.get("total");
        assertThat(List.of(total.get("submitted").asLong(), total.get("received").asLong(),
                total.get("accepted").asLong(), total.get("started").asLong(), total.get("completed").asLong(),
                total.get("rejected").asLong())).containsExactly(16L, 6L, 6L, 6L, 6L, 10L);
        assertThat(total.get("rejectedByReason").get("NO_CAPACITY").asLong()).isEqualTo(5);
        assertThat(total.get("rejectedByReason").get("NOT_ELIGIBLE").asLong()).isEqualTo(5);
        assertThat(funnel.has("truncated")).isFalse();
        // Exact counts of five or more: 6 of 16 is shown as it is.
        assertThat(total.get("conversion").get("submittedToReceived").asDouble()).isEqualTo(0.375);

        // Funnels by referring agency and by locality (the locality learnt after the referrals).
        JsonNode byReferrer = get("/api/progression/funnel?" + window + "&receivingAgencyId=" + college
                + "&groupBy=REFERRING_AGENCY").get("groups");
        assertThat(byReferrer).hasSize(2);
        assertThat(agency(byReferrer, "group", council).get("funnel").get("completed").asLong()).isEqualTo(6);
        assertThat(agency(byReferrer, "group", jobcentre).get("funnel").get("rejected").asLong()).isEqualTo(10);
        JsonNode byLocality = get("/api/progression/funnel?" + window + "&receivingAgencyId=" + college
                + "&groupBy=LOCALITY").get("groups");
        assertThat(agency(byLocality, "group", here).get("funnel").get("submitted").asLong()).isEqualTo(6);
        assertThat(agency(byLocality, "group", there).get("funnel").get("submitted").asLong()).isEqualTo(10);
        assertThat(get("/api/progression/funnel?" + window + "&localityCode=" + there + "&referringAgencyId="
                + jobcentre).get("total").get("submitted").asLong()).isEqualTo(10);

        // Response times: the first receipt counts (2 h, not the repeat's 5 h); decisions after 3 h and a day.
        JsonNode times = agency(get("/api/progression/response-times?" + window + "&receivingAgencyId=" + college)
                .get("agencies"), "receivingAgencyId", college);
        assertThat(times.get("acknowledge").get("count").asLong()).isEqualTo(6);
        assertThat(times.get("acknowledge").get("medianSeconds").asLong()).isCloseTo(7200L, within(72L));
        assertThat(times.get("decision").get("count").asLong()).isEqualTo(16);
        assertThat(times.get("decision").get("medianSeconds").asLong()).isCloseTo(3 * 3600L, within(108L));
        assertThat(times.get("decision").get("p90Seconds").asLong()).isCloseTo(24 * 3600L, within(864L));

        // Journeys: the follow-on referrals (some consumed before the one they follow) moved five on; one stopped.
        JsonNode step = get("/api/progression/journeys?" + window + "&opportunityId=" + course).get("steps").get(0);
        assertThat(step.get("opportunityId").asString()).isEqualTo(course);
        assertThat(step.get("referred").asLong()).isEqualTo(16);
        assertThat(step.get("completed").asLong()).isEqualTo(6);
        assertThat(step.get("movedOn").asLong()).isEqualTo(5);
        assertThat(step.get("stoppedAfterCompleting").asString()).isEqualTo("<5");
        assertThat(step.get("stoppedWithoutCompleting").asLong()).isEqualTo(10);
        assertThat(step.get("nextSteps").get(0).get("opportunityId").asString()).isEqualTo(nextCourse);
        assertThat(step.get("nextSteps").get(0).get("referrals").asLong()).isEqualTo(5);

        // Informal → non-formal: five learners, whichever achievement was consumed first.
        JsonNode learning = get("/api/progression/learning-progression?" + window + "&localityCode=" + here);
        assertThat(learning.get("achievements").get("INFORMAL").asLong()).isEqualTo(5);
        assertThat(learning.get("achievements").get("NON_FORMAL").asLong()).isEqualTo(5);
        assertThat(learning.get("moves").get("INFORMAL->NON_FORMAL").asLong()).isEqualTo(5);

        // Missing provision: rejections for want of a place or eligibility, where and for what kind.
        JsonNode missing = get("/api/progression/missing-provision?" + window + "&localityCode=" + there);
        assertThat(missing.get("gaps")).hasSize(1);
        JsonNode gap = missing.get("gaps").get(0);
        assertThat(gap.get("opportunityKind").asString()).isEqualTo("FORMAL_LEARNING");
        assertThat(List.of(gap.get("referred").asLong(), gap.get("noCapacity").asLong(),
                gap.get("notEligible").asLong())).containsExactly(10L, 5L, 5L);

        // Delivery health: each delivery once, however often its event came.
        JsonNode deliveries = agency(get("/api/progression/delivery-health?" + window).get("agencies"), "agencyId",
                college);
        assertThat(List.of(deliveries.get("delivered").asLong(), deliveries.get("deliveredFirstTime").asLong(),
                deliveries.get("deliveredAfterRetries").asLong(), deliveries.get("parked").asLong()))
                .containsExactly(10L, 5L, 5L, 5L);
        assertThat(deliveries.get("firstTimeRate").asDouble()).isEqualTo(0.333);
        // Time to deliver (issue 13), from the delivered events' durations, as a DDSketch (within 1%).
        JsonNode toDeliver = deliveries.get("timeToDeliver");
        assertThat(toDeliver.get("count").asLong()).isEqualTo(10);
        assertThat(toDeliver.get("medianMs").asLong()).isCloseTo(500, org.assertj.core.data.Offset.offset(5L));
        assertThat(toDeliver.get("p90Ms").asLong()).isCloseTo(900, org.assertj.core.data.Offset.offset(9L));

        Map<String, String> live = figures();
        HttpApi.Response started = api().post("/api/progression/rebuild", PLATFORM_ADMIN, Map.of());
        assertThat(started.status()).isEqualTo(202);
        long generation = started.body().get("generation").asLong();
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode status = api().get("/api/progression/rebuild", PLATFORM_ADMIN).body();
            assertThat(status.get("state").asString()).isIn("REPLAYING", "CATCHING_UP", "SWITCHED");
            assertThat(status.get("state").asString()).isEqualTo("SWITCHED");
            assertThat(status.get("generation").asLong()).isEqualTo(generation);
            assertThat(status.get("eventsReplayed").asLong()).isPositive();
        });
        assertThat(figures()).isEqualTo(live);
    }

    @Test
    void figuresDerivedByAnOlderVersionAreRebuiltOnceAtStart() {
        publishHistory();
        awaitHistoryProjected();
        Map<String, String> live = figures();
        // What an upgraded service finds at its first start: figures an older version derived (no running sums of
        // the durations, which it kept in the daily buckets) and no derivation recorded with them.
        Generation older = generations.active();
        mongo.remove(Query.query(Criteria.where("_id").regex("^(durations|learner-support-times|delivery-times)[|@]")),
                older.collection(FactStore.BUCKETS));
        mongo.updateFirst(Query.query(Criteria.where("_id").is("state")), new Update().unset("derivation"),
                "projection-generations");
        assertThat(figures().get("responseTimes")).as("response times missing before the rebuild")
                .isNotEqualTo(live.get("responseTimes"));
        assertThat(figures().get("deliveries")).as("times to deliver missing before the rebuild")
                .isNotEqualTo(live.get("deliveries"));

        // Another instance started at the same time and claimed the rebuild: this one leaves it to that one.
        DocumentLeases otherInstance = new DocumentLeases(mongo, Clock.systemUTC(), DocumentLeases.Fields.DEFAULT,
                Duration.ofMinutes(5), "other-instance");
        mongo.upsert(Query.query(Criteria.where("_id").is(ProjectionRebuild.CLAIM)), new Update().setOnInsert("for",
                "test"), ProjectionRebuild.CLAIMS);
        var held = otherInstance.claim(org.bson.Document.class, ProjectionRebuild.CLAIMS, ProjectionRebuild.CLAIM,
                claim -> true, null);
        assertThat(held).isPresent();
        // It began to catch a generation up, then died: no derivation recorded, and its claim runs on a while.
        Generation abandoned = older.next();
        assertThat(otherInstance.write(held.get(), new Update().set("generation", abandoned.number()))).isTrue();
        mongo.updateFirst(Query.query(Criteria.where("_id").is("state")), new Update().set("catchingUp",
                abandoned.number()), "projection-generations");
        mongo.insert(new org.bson.Document("_id", "funnel|" + day + "|half-built"),
                abandoned.collection(FactStore.BUCKETS));
        rebuild.rebuildIfDue();
        assertThat(rebuild.status().state()).as("no second rebuild while another instance holds the claim")
                .isNotIn(ProjectionRebuild.State.REPLAYING, ProjectionRebuild.State.CATCHING_UP);
        assertThat(api().post("/api/progression/rebuild", PLATFORM_ADMIN, Map.of()).isProblem(409, "rebuild-running"))
                .isTrue();
        assertThat(generations.active()).isEqualTo(older);

        // Its claim ran out: the next check (at this instance's start, or on its timer) rebuilds.
        mongo.updateFirst(Query.query(Criteria.where("_id").is(ProjectionRebuild.CLAIM)), new Update()
                .set("leaseUntil", java.util.Date.from(Instant.now().minusSeconds(1))), ProjectionRebuild.CLAIMS);
        rebuild.rebuildIfDue();

        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode status = api().get("/api/progression/rebuild", PLATFORM_ADMIN).body();
            assertThat(status.get("state").asString()).isEqualTo("SWITCHED");
            assertThat(status.get("generation").asLong()).as("not the dead instance's number")
                    .isGreaterThan(abandoned.number());
        });
        assertThat(figures()).isEqualTo(live);
        assertThat(mongo.getCollectionNames()).noneMatch(abandoned::owns);
        // The derivation is recorded with the switch: the next start rebuilds nothing.
        assertThat(generations.derivation()).isEqualTo(Generations.DERIVATION);
        Generation rebuilt = generations.active();
        rebuild.rebuildIfDue();
        assertThat(generations.active()).isEqualTo(rebuilt);
        assertThat(api().get("/api/progression/rebuild", PLATFORM_ADMIN).body().get("generation").asLong())
                .isEqualTo(rebuilt.number());
        // And the claim was given back: a rebuild asked for now starts.
        HttpApi.Response again = api().post("/api/progression/rebuild", PLATFORM_ADMIN, Map.of());
        assertThat(again.status()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(rebuild.status().state()).isEqualTo(ProjectionRebuild.State.SWITCHED));
    }

    @Test
    void aRebuildAskedForWhoseInstanceIsKilledWhileCatchingUpIsTakenOverOnceItsLeaseRunsOutAndItsCopyIsFedNoLonger() {
        publishHistory();
        awaitHistoryProjected();
        Generation older = generations.active();
        assertThat(generations.derivation()).as("figures of this version: no upgrade calls for a rebuild")
                .isEqualTo(Generations.DERIVATION);

        // Another instance is asked to rebuild, and is killed once its copy has begun to catch up.
        KilledRebuild otherInstance = KilledRebuild.at(ProjectionRebuild.State.CATCHING_UP, context);
        otherInstance.start();
        Generation halfBuilt = otherInstance.awaitKilled(Duration.ofMinutes(10));
        try {
            // While its lease runs, the live consumer feeds its copy, and this instance leaves the rebuild to it.
            String fedWhileHeld = submitOneMore(17);
            assertThat(seenBy(halfBuilt, fedWhileHeld)).as("fed while the rebuild is held").isTrue();
            rebuild.rebuildIfDue();
            ProjectionRebuild.Status elsewhere = rebuild.status();
            assertThat(elsewhere.state()).as("as the other instance recorded it").isEqualTo(
                    ProjectionRebuild.State.CATCHING_UP);
            assertThat(elsewhere.generation()).isEqualTo(halfBuilt.number());
            assertThat(api().post("/api/progression/rebuild", PLATFORM_ADMIN, Map.of())
                    .isProblem(409, "rebuild-running")).isTrue();
            assertThat(generations.active()).isEqualTo(older);

            // Its lease runs out unrenewed: its copy is fed no longer, before anyone takes the rebuild over.
            clock.advance(Duration.parse(context.getEnvironment().getProperty("pathways.progression.rebuild.lease",
                    "PT2M")).plusSeconds(1));
            String afterItsLease = submitOneMore(18);
            assertThat(generations.catchingUp()).isEmpty();
            assertThat(seenBy(halfBuilt, afterItsLease)).as("fed after its lease ran out").isFalse();

            // The next check takes the rebuild over, though the figures' derivation is current, and finishes it.
            Map<String, String> live = figures();
            rebuild.rebuildIfDue();
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                JsonNode status = api().get("/api/progression/rebuild", PLATFORM_ADMIN).body();
                assertThat(status.get("state").asString()).isEqualTo("SWITCHED");
                assertThat(status.get("generation").asLong()).as("not the killed instance's number")
                        .isGreaterThan(halfBuilt.number());
            });
            assertThat(figures()).isEqualTo(live);
            assertThat(generations.active().number()).isGreaterThan(halfBuilt.number());
            assertThat(generations.catchingUp()).isEmpty();
            assertThat(generations.recordedCatchingUp()).isEmpty();
            assertThat(mongo.getCollectionNames()).noneMatch(halfBuilt::owns);
            // Done: the next check has nothing to take over.
            Generation rebuilt = generations.active();
            rebuild.rebuildIfDue();
            assertThat(rebuild.status().state()).isEqualTo(ProjectionRebuild.State.SWITCHED);
            assertThat(generations.active()).isEqualTo(rebuilt);
        } finally {
            clock.reset();
        }
    }

    /** One more referral submitted to the college, counted live (the college's funnel then counts {@code total}). */
    private String submitOneMore(long total) {
        String eventId;
        try (EventProducer producer = new EventProducer()) {
            eventId = producer.publish(new ReferralSubmitted(unique("ref"), unique("lrn"), course, council, college,
                    Urgency.ROUTINE, submittedAt));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(get("/api/progression/funnel?"
                + window + "&receivingAgencyId=" + college).get("total").get("submitted").asLong(-1))
                .isEqualTo(total));
        return eventId;
    }

    /** Whether the event {@code eventId} was applied to {@code generation} while it was being rebuilt. */
    private boolean seenBy(Generation generation, String eventId) {
        return mongo.findById(eventId, org.bson.Document.class, generation.collection(Generations.SEEN)) != null;
    }

    @Test
    void onlyCoordinatorsSeePartnershipWideFiguresAndOnlyPlatformAdminsRebuild() {
        String worker = TestTokens.worker(college);
        for (String path : List.of("journeys", "learning-progression", "missing-provision", "delivery-health")) {
            assertThat(api().get("/api/progression/" + path, worker).isProblem(403, "forbidden")).as(path).isTrue();
            assertThat(api().get("/api/progression/" + path, null).status()).as(path).isEqualTo(401);
            assertThat(api().get("/api/progression/" + path, COORDINATOR).status()).as(path).isEqualTo(200);
        }
        assertThat(api().post("/api/progression/rebuild", COORDINATOR, Map.of()).isProblem(403, "forbidden")).isTrue();
        assertThat(api().get("/api/progression/rebuild", worker).isProblem(403, "forbidden")).isTrue();
        assertThat(api().get("/api/progression/rebuild", PLATFORM_ADMIN).status()).isEqualTo(200);
        assertThat(isBadRequestProblem(api().get("/api/progression/funnel?groupBy=SHOE_SIZE", COORDINATOR))).isTrue();
        assertThat(isBadRequestProblem(api().get("/api/progression/journeys?opportunityId=%24where", COORDINATOR)))
                .isTrue();
    }
}
