package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LearnerErased;
import org.pathways.events.learner.LearnerProfileUpdated;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.learner.MilestoneRecorded;
import org.pathways.events.learner.ProfileField;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.platform.security.Role;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.pathways.progression.funnel.ReferralProjection;
import org.pathways.progression.learners.LearnerProjection;
import org.pathways.progression.tally.Generations;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.databind.JsonNode;

/** Milestones counted by type, learning kind, locality and pathway step. */
class MilestonesTest extends ProgressionServiceTest {

    private static final String COORDINATOR = TestTokens.token("coord-1", "partnership", Role.COORDINATOR);

    @Autowired
    MongoTemplate mongo;

    @Autowired
    Generations generations;

    private final LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(1);

    private MilestoneRecorded milestone(String learnerId, String type, String kind, String agency, String referralId,
                                        String opportunityId) {
        return new MilestoneRecorded(learnerId, unique("ms"), type, day, agency, kind, kind == null ? null : "L2",
                kind == null ? null : true, referralId, opportunityId, Instant.now());
    }

    /** Counts as shown (a number or "<5") in one grouping of the report, keyed "group|milestone|learningKind". */
    private static Map<String, String> counts(JsonNode report, String grouping) {
        Map<String, String> counts = new HashMap<>();
        for (JsonNode row : report.get(grouping)) {
            counts.put(row.path("group").asString("") + "|" + row.get("milestone").asString() + "|"
                    + row.get("learningKind").asString(), row.get("count").asString());
        }
        return counts;
    }

    private String total(String token, String query) {
        return report(token, query).body().get("total").asString();
    }

    private HttpApi.Response report(String token, String query) {
        return api().get("/api/progression/milestones?from=" + day + "&to=" + day + query, token);
    }

    /**
     * Five learners (so that every count is five or more, and shown exactly) follow the same path: registered here,
     * referred by the council to the college's course, enrolled, an achievement, a move there, another achievement,
     * erased, then one more milestone.
     */
    @Test
    void countsMilestonesByKindLocalityAndPathwayAndForgetsWhereAnErasedLearnerLived() {
        String college = unique("college");
        String council = unique("council");
        String course = unique("opp");
        String here = unique("LS6");
        String there = unique("LS2");
        List<String> learners = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String learner = unique("lrn");
            learners.add(learner);
            followOnePath(learner, college, council, course, here, there);
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode report = report(COORDINATOR, "&opportunityId=" + course).body();
            assertThat(report.get("total").asString()).isEqualTo("20");
            assertThat(counts(report, "byMilestone")).containsOnly(Map.entry("|ENROLLED|NONE", "5"),
                    Map.entry("|ACHIEVEMENT_GAINED|FORMAL", "5"), Map.entry("|ACHIEVEMENT_GAINED|INFORMAL", "5"),
                    Map.entry("|INTO_VOLUNTEERING|NONE", "5"));
            assertThat(counts(report, "byLocality")).containsOnly(Map.entry(here + "|ENROLLED|NONE", "5"),
                    Map.entry(here + "|ACHIEVEMENT_GAINED|FORMAL", "5"),
                    Map.entry(there + "|ACHIEVEMENT_GAINED|INFORMAL", "5"),
                    Map.entry("UNKNOWN|INTO_VOLUNTEERING|NONE", "5"));
            assertThat(counts(report, "byOpportunity")).containsEntry(course + "|ENROLLED|NONE", "5").hasSize(4);
        });
        JsonNode report = report(COORDINATOR, "&opportunityId=" + course).body();
        // Erasure removed the one place the learner id was kept.
        for (String learner : learners) {
            assertThat(mongo.exists(Query.query(Criteria.where("_id").is(learner)),
                    generations.active().collection(LearnerProjection.COLLECTION))).isFalse();
            assertThat(report.toString()).doesNotContain(learner);
        }

        assertThat(total(COORDINATOR, "&localityCode=" + here)).isEqualTo("10");
        assertThat(total(COORDINATOR, "&opportunityId=" + course + "&learningKind=FORMAL")).isEqualTo("5");

        // The college recorded two each and received the referral behind one; an outsider sees none.
        assertThat(total(TestTokens.worker(college), "&opportunityId=" + course)).isEqualTo("10");
        assertThat(total(TestTokens.worker(council), "&opportunityId=" + course)).isEqualTo("15");
        assertThat(total(TestTokens.worker(unique("housing")), "&opportunityId=" + course)).isEqualTo("0");
    }

    @Test
    void aLearnersOwnMilestonesAreNeverShownAsExactSmallCounts() {
        String college = unique("college");
        String council = unique("council");
        String course = unique("opp");
        String here = unique("LS6");
        followOnePath(unique("lrn"), college, council, course, here, unique("LS2"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                counts(report(COORDINATOR, "&opportunityId=" + course).body(), "byOpportunity")).hasSize(4));
        JsonNode report = report(COORDINATOR, "&opportunityId=" + course).body();
        // One learner's milestones in one place and course would otherwise read as that person's record.
        assertThat(report.get("total").asString()).isEqualTo("<5");
        for (String grouping : List.of("byMilestone", "byLocality", "byOpportunity")) {
            assertThat(counts(report, grouping).values()).as(grouping).containsOnly("<5");
        }
        assertThat(total(COORDINATOR, "&localityCode=" + here)).isEqualTo("<5");
    }

    private void followOnePath(String learner, String college, String council, String course, String here,
                               String there) {
        String referralId = unique("ref");
        try (EventProducer producer = new EventProducer()) {
            producer.publish(new LearnerRegistered(learner, council, here, Instant.now()));
            producer.publish(new ReferralSubmitted(referralId, learner, course, council, college, Urgency.ROUTINE,
                    Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> mongo.exists(Query.query(Criteria.where("_id")
                .is(referralId)), generations.active().collection(ReferralProjection.COLLECTION)));
        try (EventProducer producer = new EventProducer()) {
            // From the referral: the opportunity is taken from it.
            MilestoneRecorded enrolled = milestone(learner, "ENROLLED", null, college, referralId, null);
            String enrolledId = producer.publish(enrolled);
            producer.publish(enrolledId, enrolled);
            producer.publish(enrolled);     // the same milestone under another event id counts once too
            producer.publish(milestone(learner, "ACHIEVEMENT_GAINED", "FORMAL", college, null, course));
            producer.publish(new LearnerProfileUpdated(learner, 2, List.of(ProfileField.LOCALITY), there, council,
                    Instant.now()));
            producer.publish(milestone(learner, "ACHIEVEMENT_GAINED", "INFORMAL", council, null, course));
            producer.publish(new LearnerErased(learner, council, Instant.now()));
            producer.publish(milestone(learner, "INTO_VOLUNTEERING", null, council, null, course));
        }
    }

    @Test
    void aMilestoneConsumedBeforeItsReferralGainsTheReferralsAgenciesAndOpportunityWhenTheReferralArrives() {
        String college = unique("college");
        String council = unique("council");
        String course = unique("opp");
        String learner = unique("lrn");
        String referralId = unique("ref");
        String recorder = unique("learner-service-agency");
        try (EventProducer producer = new EventProducer()) {
            producer.publish(milestone(learner, "ENROLLED", null, recorder, referralId, null));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> mongo.exists(Query.query(Criteria.where("referralId")
                .is(referralId)), generations.active().collection("milestones")));
        assertThat(total(TestTokens.worker(college), "")).isEqualTo("0");

        try (EventProducer producer = new EventProducer()) {
            producer.publish(new ReferralSubmitted(referralId, learner, course, council, college, Urgency.ROUTINE,
                    Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                total(TestTokens.worker(college), "&opportunityId=" + course)).isEqualTo("<5"));
        assertThat(counts(report(COORDINATOR, "&opportunityId=" + course).body(), "byOpportunity"))
                .containsOnly(Map.entry(course + "|ENROLLED|NONE", "<5"));
    }

    @Test
    void refusesBadQueriesWithProblemDetails() {
        assertThat(isBadRequestProblem(report(COORDINATOR, "&learningKind=SCHOOL"))).isTrue();
        assertThat(isBadRequestProblem(report(COORDINATOR, "&localityCode=%24where"))).isTrue();
        assertThat(isBadRequestProblem(api().get("/api/progression/milestones?to=yesterday", COORDINATOR))).isTrue();
        assertThat(api().get("/api/progression/milestones", null).status()).isEqualTo(401);
    }
}
