package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.pathways.testing.HttpApi;
import org.pathways.testing.MongoQueryLog;
import org.pathways.testing.TestTokens;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/**
 * What submitting a referral costs in store round trips on the request's own thread (issue 14: at 50 referrals a
 * second on the 2-core machine the gateway shed a third of the submissions). Counted on the wire: every read,
 * update and delete the web threads sent while the learners' consents and the course were known, for a first
 * submission each and a replay of one (same {@code Idempotency-Key}). The relay's publishing runs on its own threads
 * and is not counted, nor are inserts (the referral's and the audit record's, one each). Measured 2026-12-02: 9 per
 * submission (the agency's kind was read for every consent check), 8 since it is read only for a consent given to a
 * kind of agency; the erased-learners read twice (before and, for a racing erasure, after the write) is on purpose.
 * Since 2026-12-03 the six reads before the write are made at once (each on a virtual thread of its own, counted here
 * with the request's), so a submission waits for two round trips of them, then three on its own thread.
 */
class SubmissionRoundTripsTest extends ReferralServiceTest {

    @org.springframework.beans.factory.annotation.Autowired
    MongoQueryLog queries;

    @Test
    void aSubmissionReadsTheReadModelsInAFewRoundTrips() {
        Scenario course = consentedLearnerAndPublishedCourse(null, 0);
        List<Scenario> learners = new ArrayList<>(List.of(course));
        for (int i = 1; i < 10; i++) {
            learners.add(anotherLearner(course));
        }
        // Known to the read models (eventually consistent): every consent and the course are there.
        await().atMost(DEADLINE).until(() -> learners.stream().allMatch(s -> store.exists(
                Query.query(Criteria.where("_id").is(s.consentId())), "consent-views"))
                && store.exists(Query.query(Criteria.where("_id").is(course.opportunityId())), "opportunity-views"));

        queries.recordOn(thread -> MongoQueryLog.WEB_THREADS.test(thread) || thread.startsWith("submission-read-"));
        queries.clear();
        for (Scenario s : learners) {
            HttpApi.Response response = submit(s);
            assertThat(response.status()).as(response.toString()).isEqualTo(201);
        }
        List<MongoQueryLog.Read> reads = queries.reads();
        Map<String, Integer> byCommand = new TreeMap<>();
        reads.forEach(read -> byCommand.merge(read.command() + " " + read.collection(), 1, Integer::sum));
        double perSubmission = reads.size() / (double) learners.size();
        System.out.printf("Submission round trips (reads and writes by filter): %d for %d, %.1f each: %s%n",
                reads.size(), learners.size(), perSubmission, byCommand);
        long onRequestThreads = reads.stream().filter(read -> MongoQueryLog.WEB_THREADS.test(read.thread())).count();
        Map<String, Integer> atOnce = new TreeMap<>();
        reads.stream().filter(read -> read.thread().startsWith("submission-read-"))
                .forEach(read -> atOnce.merge(read.command() + " " + read.collection(), 1, Integer::sum));

        queries.clear();
        Scenario first = learners.getFirst();
        HttpApi.Response replay = submit(first);
        assertThat(replay.status()).isEqualTo(200);
        List<MongoQueryLog.Read> replayed = queries.reads();
        queries.recordOn(MongoQueryLog.WEB_THREADS);
        System.out.printf("A replay: %d round trips %s%n", replayed.size(), replayed.stream()
                .map(read -> read.command() + " " + read.collection()).toList());

        assertThat(perSubmission).as("round trips per submission: %s", byCommand).isLessThanOrEqualTo(8.0);
        assertThat(atOnce).as("the reads made at once, before the write, for the %d submissions", learners.size())
                .containsEntry("find referrals", learners.size())        // the Idempotency-Key
                .containsEntry("find learner-views", learners.size())    // who registered the learner
                .containsEntry("find learner-referrals", learners.size()) // the learner's consents, listed
                .containsEntry("find consent-views", learners.size())    // and read
                .containsEntry("find opportunity-views", learners.size())
                .containsEntry("find erased-learners", learners.size()); // before; again after the write
        assertThat(onRequestThreads).as("round trips one after the other on the request's thread: %s", byCommand)
                .isLessThanOrEqualTo(3L * learners.size());
        assertThat(replayed).as("a replay answers from the referral the key found and writes nothing")
                .noneMatch(read -> read.command().equals("update") || read.command().equals("delete")
                        || read.command().equals("findAndModify"));
    }

    private HttpApi.Response submit(Scenario s) {
        return api().send(api().request("/api/referrals", TestTokens.worker(COUNCIL))
                .header("Content-Type", "application/json").header("Idempotency-Key", "rt-" + s.learnerId())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body(s))));
    }
}
