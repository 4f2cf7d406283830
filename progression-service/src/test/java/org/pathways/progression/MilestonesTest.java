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

    private final LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(1);

    private MilestoneRecorded milestone(String learnerId, String type, String kind, String agency, String referralId,
                                        String opportunityId) {
        return new MilestoneRecorded(learnerId, unique("ms"), type, day, agency, kind, kind == null ? null : "L2",
                kind == null ? null : true, referralId, opportunityId, Instant.now());
    }

    /** Counts in one grouping of the report, keyed "group|milestone|learningKind". */
    private static Map<String, Long> counts(JsonNode report, String grouping) {
        Map<String, Long> counts = new HashMap<>();
        for (JsonNode row : report.get(grouping)) {
            counts.put(row.path("group").asString("") + "|" + row.get("milestone").asString() + "|"
                    + row.get("learningKind").asString(), row.get("count").asLong());
        }
        return counts;
    }

    private HttpApi.Response report(String token, String query) {
        return api().get("/api/progression/milestones?from=" + day + "&to=" + day + query, token);
    }

    @Test
    void countsMilestonesByKindLocalityAndPathwayAndForgetsWhereAnErasedLearnerLived() {
        String college = unique("college");
        String council = unique("council");
        String course = unique("opp");
        String here = unique("LS6");
        String there = unique("LS2");
        String learner = unique("lrn");
        String referralId = unique("ref");
        try (EventProducer producer = new EventProducer()) {
            producer.publish(new LearnerRegistered(learner, council, here, Instant.now()));
            producer.publish(new ReferralSubmitted(referralId, learner, course, council, college, Urgency.ROUTINE,
                    Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> mongo.exists(
                Query.query(Criteria.where("_id").is(referralId)), "referral-progress"));
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

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(report(COORDINATOR, "&opportunityId=" + course).body().get("total").asLong()).isEqualTo(4));
        JsonNode report = report(COORDINATOR, "&opportunityId=" + course).body();
        assertThat(counts(report, "byMilestone")).containsOnly(Map.entry("|ENROLLED|NONE", 1L),
                Map.entry("|ACHIEVEMENT_GAINED|FORMAL", 1L), Map.entry("|ACHIEVEMENT_GAINED|INFORMAL", 1L),
                Map.entry("|INTO_VOLUNTEERING|NONE", 1L));
        assertThat(counts(report, "byLocality")).containsOnly(Map.entry(here + "|ENROLLED|NONE", 1L),
                Map.entry(here + "|ACHIEVEMENT_GAINED|FORMAL", 1L),
                Map.entry(there + "|ACHIEVEMENT_GAINED|INFORMAL", 1L),
                Map.entry("UNKNOWN|INTO_VOLUNTEERING|NONE", 1L));
        assertThat(counts(report, "byOpportunity")).containsEntry(course + "|ENROLLED|NONE", 1L).hasSize(4);
        // Erasure removed the one place the learner id was kept.
        assertThat(mongo.exists(Query.query(Criteria.where("_id").is(learner)), "learner-localities")).isFalse();
        assertThat(report.toString()).doesNotContain(learner);

        assertThat(report(COORDINATOR, "&localityCode=" + here).body().get("total").asLong()).isEqualTo(2);
        assertThat(report(COORDINATOR, "&opportunityId=" + course + "&learningKind=FORMAL").body().get("total")
                .asLong()).isEqualTo(1);

        // The college recorded two and received the referral behind one; an outsider sees none.
        assertThat(report(TestTokens.worker(college), "&opportunityId=" + course).body().get("total").asLong())
                .isEqualTo(2);
        assertThat(report(TestTokens.worker(council), "&opportunityId=" + course).body().get("total").asLong())
                .isEqualTo(3);
        assertThat(report(TestTokens.worker(unique("housing")), "&opportunityId=" + course).body().get("total")
                .asLong()).isZero();
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
        await().atMost(Duration.ofSeconds(30)).until(() -> mongo.exists(
                Query.query(Criteria.where("referralId").is(referralId)), "milestones"));
        assertThat(report(TestTokens.worker(college), "").body().get("total").asLong()).isZero();

        try (EventProducer producer = new EventProducer()) {
            producer.publish(new ReferralSubmitted(referralId, learner, course, council, college, Urgency.ROUTINE,
                    Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                report(TestTokens.worker(college), "&opportunityId=" + course).body().get("total").asLong())
                .isEqualTo(1));
        assertThat(counts(report(COORDINATOR, "&opportunityId=" + course).body(), "byOpportunity"))
                .containsOnly(Map.entry(course + "|ENROLLED|NONE", 1L));
    }

    @Test
    void refusesBadQueriesWithProblemDetails() {
        assertThat(isBadRequestProblem(report(COORDINATOR, "&learningKind=SCHOOL"))).isTrue();
        assertThat(isBadRequestProblem(report(COORDINATOR, "&localityCode=%24where"))).isTrue();
        assertThat(isBadRequestProblem(api().get("/api/progression/milestones?to=yesterday", COORDINATOR))).isTrue();
        assertThat(api().get("/api/progression/milestones", null).status()).isEqualTo(401);
    }
}
