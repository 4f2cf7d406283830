package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.testing.HttpApi;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.databind.JsonNode;

/**
 * Audited reads fail closed: a referral's need and shared summary, and its handoff notes, leave the service only
 * once their reading is in the audit trail; when the trail cannot be written the caller gets a 503 problem, never
 * the data unrecorded.
 */
class AuditedReadsTest extends ReferralServiceTest {

    private long readsRecorded(String referralId) {
        return store.count(Query.query(Criteria.where("ids.id").is(referralId).and("kind").is("PERSONAL_DATA_READ")),
                Document.class, "audit-trail");
    }

    @Test
    void whenTheAuditTrailCannotBeWrittenPersonalDataIsNotAnsweredAndTheReadIsA503Problem() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode submitted = submittedWithSummary(s);
        String id = submitted.get("id").asString();
        assertThat(api().post("/api/referrals/" + id + "/notes", worker(COUNCIL),
                Map.of("text", "She prefers morning sessions")).status()).isEqualTo(201);
        long recordedBefore = readsRecorded(id);

        auditTrail.down(true);
        try {
            for (String path : new String[] {"/api/referrals/" + id, "/api/referrals/" + id + "/notes"}) {
                HttpApi.Response read = api().get(path, worker(COLLEGE));
                assertThat(read.isProblem(503, "audit-unavailable")).as(path + " " + read).isTrue();
                assertThat(read.body().toString()).doesNotContain("Mina").doesNotContain("spoken English")
                        .doesNotContain("morning sessions");
            }
            // A refusal carries no personal data: still the same 404 as ever.
            assertThat(api().get("/api/referrals/" + id, worker(JOBCENTRE)).isProblem(404, "not-found")).isTrue();
        } finally {
            auditTrail.down(false);
        }
        assertThat(readsRecorded(id)).isEqualTo(recordedBefore);

        // The trail back: the same reads answer the data, each recorded (before it was answered).
        HttpApi.Response read = api().get("/api/referrals/" + id, worker(COLLEGE));
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().get("sharedSummary").get("preferredName").asString()).isEqualTo("Mina");
        assertThat(readsRecorded(id)).isEqualTo(recordedBefore + 1);
        assertThat(api().get("/api/referrals/" + id + "/notes", worker(COLLEGE)).body().toString())
                .contains("morning sessions");
        assertThat(readsRecorded(id)).isEqualTo(recordedBefore + 2);
    }
}
