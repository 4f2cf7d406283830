package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencyRegistered;
import org.pathways.events.agency.AgencySector;
import org.pathways.events.agency.AgencyUpdated;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.learner.LearnerErased;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.referral.consent.ConsentExpiries;
import org.pathways.referral.readmodel.OpportunityView;
import org.pathways.referral.sla.OverdueReferrals;
import org.pathways.testing.HttpApi;
import org.pathways.testing.IndexCoverage;
import org.pathways.testing.IndexCoverage.Key;
import org.pathways.testing.IndexCoverage.Shape;
import org.pathways.testing.MongoQueryLog;
import org.pathways.testing.MutableClock;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * "Fast at a million referrals (index for each query)", checked against the queries the running service really
 * sends: every inbox variant (both directions, each filter, one learner's, cursor paging), the referral, its chain, notes and next
 * steps, submission with its duplicate and idempotency checks, the SLA and consent-expiry jobs, and the cascades that
 * consent withdrawal, an agency changing kind and a learner's erasure set off. The filters and sorts the driver put
 * on the wire, on every thread, are recorded ({@link MongoQueryLog}) and each must be served by an index MongoDB
 * lists for its collection ({@link IndexCoverage}: equality prefix, then the sort keys in order; or an index led by
 * one of the query's fields). The embedded store ignores non-unique indexes, so this is what keeps them honest.
 *
 * <p>Fields that narrow too little on their own at a million referrals: a status (a handful of values), the purpose
 * of a consent, and an agency (a large college may hold a good share of all referrals). A query filtering on
 * anything else must use an index holding one of those other fields.
 */
class QueryIndexCoverageTest extends ReferralServiceTest {

    static final IndexCoverage COVERAGE = new IndexCoverage(Set.of("status", "purpose", "receivingAgencyId",
            "referringAgencyId"));

    @Autowired
    MongoQueryLog log;
    @Autowired
    MutableClock clock;
    @Autowired
    OverdueReferrals overdue;
    @Autowired
    ConsentExpiries expiries;

    @AfterEach
    void backToNormal() {
        log.recordOn(MongoQueryLog.WEB_THREADS);
        clock.reset();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    @Test
    void everyQueryTheApiTheJobsAndTheEventCascadesSendIsServedByADeclaredIndex() {
        String provider = "agency-idx-" + UUID.randomUUID().toString().substring(0, 8);
        String onward = "opp-" + UUID.randomUUID();
        String course = "opp-" + UUID.randomUUID();
        events.publish(new OpportunityPublished(onward, provider, OpportunityKind.FORMAL_LEARNING, "E3", 20, 0,
                Instant.now(), List.of()));
        events.publish(new OpportunityPublished(course, provider, OpportunityKind.FORMAL_LEARNING, "E2", 20, 0,
                Instant.now(), List.of(onward)));
        await().atMost(DEADLINE).until(() -> store.findById(course, OpportunityView.class) != null);
        Scenario first = new Scenario("lrn-" + UUID.randomUUID(), course, "cns-" + UUID.randomUUID(), provider);
        registered(first.learnerId(), COUNCIL);
        grantConsent(first.learnerId(), first.consentId(), provider);
        Scenario second = anotherLearner(first);
        Scenario third = anotherLearner(first);
        learnerEventsHandled(third.learnerId());

        log.clear();
        log.recordOn(thread -> true);

        // Submission: two plain, one with an Idempotency-Key retried, one duplicate of an open referral.
        JsonNode one = submitted(first);
        JsonNode two = submitted(second);
        String key = UUID.randomUUID().toString();
        HttpResponse<String> keyed = send("POST", "/api/referrals", worker(COUNCIL), body(third),
                "Idempotency-Key", key);
        assertThat(keyed.statusCode()).as(keyed.body()).isEqualTo(201);
        HttpResponse<String> retried = send("POST", "/api/referrals", worker(COUNCIL), body(third),
                "Idempotency-Key", key);
        assertThat(retried.body()).contains(JSON.readTree(keyed.body()).get("id").asString());
        HttpApi.Response duplicate = api().post("/api/referrals", worker(COUNCIL), body(first));
        assertThat(duplicate.status()).as(duplicate.toString()).isEqualTo(409);

        // One referral taken on (so "mine" finds it), one completed (so it has next steps); notes, chain, history.
        String oneId = one.get("id").asString();
        String twoId = two.get("id").asString();
        step(worker(provider), one, "RECEIVE", null);
        completed(two, provider);
        assertThat(api().get("/api/referrals/" + oneId, worker(provider)).status()).isEqualTo(200);
        assertThat(api().post("/api/referrals/" + oneId + "/notes", worker(provider),
                Map.of("text", "Called her back")).status()).isEqualTo(201);
        assertThat(api().get("/api/referrals/" + oneId + "/notes", worker(COUNCIL)).status()).isEqualTo(200);
        assertThat(api().get("/api/referrals/" + twoId + "/chain", worker(COUNCIL)).status()).isEqualTo(200);
        JsonNode suggestions = api().get("/api/referrals/" + twoId + "/next-steps", worker(COUNCIL)).body();
        assertThat(suggestions.toString()).contains(onward);

        // Every inbox variant, both directions, first page and the next one, ten days on (so some are overdue).
        clock.advance(Duration.ofDays(10));
        Instant from = Instant.now().minus(Duration.ofHours(1));
        Instant to = Instant.now().plus(Duration.ofHours(1));
        List<String> filters = List.of("", "status=SUBMITTED", "status=RECEIVED", "overdue=true", "overdue=false",
                "opportunityId=" + course, "submittedFrom=" + from, "submittedTo=" + to,
                "submittedFrom=" + from + "&submittedTo=" + to, "mine=true", "mine=true&status=RECEIVED",
                "mine=true&opportunityId=" + course, "status=SUBMITTED&opportunityId=" + course,
                "status=SUBMITTED&overdue=true", "opportunityId=" + course + "&overdue=true&submittedFrom=" + from,
                "learnerId=" + first.learnerId(), "learnerId=" + first.learnerId() + "&status=RECEIVED",
                "learnerId=" + second.learnerId() + "&overdue=true", "mine=true&learnerId=" + first.learnerId());
        int pagedOn = 0;
        for (String direction : List.of("incoming", "outgoing")) {
            String token = direction.equals("incoming") ? worker(provider) : worker(COUNCIL);
            for (String filter : filters) {
                String path = "/api/referrals?direction=" + direction + "&limit=1" + (filter.isEmpty() ? ""
                        : "&" + filter);
                HttpApi.Response page = api().get(path, token);
                assertThat(page.status()).as(path + " " + page).isEqualTo(200);
                if (!page.body().get("next").isNull()) {
                    assertThat(api().get(path + "&cursor=" + page.text("next"), token).status()).isEqualTo(200);
                    pagedOn++;
                }
            }
        }
        assertThat(pagedOn).as("cursor pages followed").isGreaterThan(10);

        // The scheduled jobs, run here as the scheduler would.
        overdue.raiseOverdue();
        expiries.stopExpired();

        // Consent withdrawn for the agency: the referral it covered goes on hold.
        events.publish(new ConsentWithdrawn(first.learnerId(), first.consentId(), provider,
                ConsentPurpose.REFERRAL_SHARING, Instant.now()));
        await().atMost(DEADLINE).until(() -> api().get("/api/referrals/" + oneId, worker(provider)).text("status")
                .equals("ON_HOLD"));
        // A consent for a kind of agency withdrawn: the agencies of that kind are looked up.
        String kindConsent = "cns-" + UUID.randomUUID();
        events.publish(new ConsentGranted(third.learnerId(), kindConsent, null, AgencyKind.COLLEGE,
                ConsentPurpose.REFERRAL_SHARING, Instant.now().minusSeconds(1), null));
        events.publish(new ConsentWithdrawn(third.learnerId(), kindConsent, null, AgencyKind.COLLEGE,
                ConsentPurpose.REFERRAL_SHARING, Instant.now()));
        learnerEventsHandled(third.learnerId());
        // The agency changes kind: its open referrals are looked up; a marker update after it proves it handled.
        events.publish(new AgencyRegistered(provider, AgencyKind.COLLEGE, AgencySector.PUBLIC, true, now()));
        events.publish(new AgencyUpdated(provider, AgencyKind.COMMUNITY_GROUP, AgencySector.VOLUNTARY, true, now()));
        Instant marker = now().plusSeconds(60);
        events.publish(new AgencyUpdated(provider, AgencyKind.COMMUNITY_GROUP, AgencySector.VOLUNTARY, true,
                marker));
        await().atMost(DEADLINE).until(() -> agencyKinds.find(provider).isPresent()
                && marker.equals(agencyKinds.find(provider).orElseThrow().asOf()));
        // A learner erased: their referrals and consents are found and stripped.
        events.publish(new LearnerErased(second.learnerId(), COUNCIL, now()));
        await().atMost(DEADLINE).until(() -> api().get("/api/referrals/" + twoId, worker(COUNCIL)).body()
                .has("erasedAt"));
        log.recordOn(MongoQueryLog.WEB_THREADS);

        Set<Shape> shapes = IndexCoverage.shapesOf(log.reads());
        shapes.forEach(shape -> System.out.println("query shape: " + shape));
        assertThat(shapes.stream().map(Shape::collection))
                .contains("referrals", "consent-views", "agency-views", "opportunity-views", "erased-learners",
                        "learner-views");
        assertThat(shapes).as("the calls above issue many different queries").hasSizeGreaterThan(20);
        assertThat(COVERAGE.unserved(store, shapes)).as("queries no index serves").isEmpty();

        // And no referral index is dead weight: each one serves some query the service sends.
        List<List<Key>> unused = new ArrayList<>();
        for (List<Key> index : IndexCoverage.indexesOf(store, "referrals")) {
            boolean exempt = index.getFirst().field().equals("_id")
                    || index.getFirst().field().startsWith("outbox."); // the outbox sweeper's (reliable-messaging)
            if (!exempt && shapes.stream().noneMatch(shape -> shape.collection().equals("referrals")
                    && COVERAGE.serves(index, shape))) {
                unused.add(index);
            }
        }
        assertThat(unused).as("referral indexes no query uses").isEmpty();
    }

    @Test
    void theRuleRefusesAnInboxQueryWithoutItsIndexAndACascadeThatWouldWalkAnAgency() {
        List<Key> newest = List.of(new Key("submittedAt", -1), new Key("_id", -1));
        List<Key> receivingAll = List.of(new Key("receivingAgencyId", 1), new Key("submittedAt", -1),
                new Key("_id", -1));
        List<Key> receivingOpportunity = List.of(new Key("receivingAgencyId", 1), new Key("opportunityId", 1),
                new Key("submittedAt", -1), new Key("_id", -1));
        Shape byOpportunity = new Shape("referrals", Set.of("receivingAgencyId", "opportunityId"), Set.of(), newest);
        assertThat(COVERAGE.serves(receivingOpportunity, byOpportunity)).isTrue();
        assertThat(COVERAGE.serves(receivingAll, byOpportunity))
                .as("in order, but reading all the agency's referrals to find one course's").isFalse();
        assertThat(COVERAGE.serves(receivingAll, new Shape("referrals", Set.of("receivingAgencyId"),
                Set.of("submittedAt"), newest))).as("a cursor page").isTrue();
        assertThat(COVERAGE.serves(receivingOpportunity, new Shape("referrals", Set.of("receivingAgencyId"),
                Set.of(), newest))).as("the course not fixed: not the index's order").isFalse();
        Shape overdue = new Shape("referrals", Set.of("receivingAgencyId", "status"), Set.of("acknowledgeBy"),
                newest);
        assertThat(COVERAGE.serves(List.of(new Key("receivingAgencyId", 1), new Key("status", 1),
                new Key("submittedAt", -1), new Key("_id", -1)), overdue))
                .as("in order, but reading every referral awaiting an answer to find the overdue").isFalse();
        assertThat(COVERAGE.serves(List.of(new Key("receivingAgencyId", 1), new Key("status", 1),
                new Key("acknowledgeBy", 1)), overdue)).as("exactly the overdue, sorted in memory").isTrue();
        Shape cascade = IndexCoverage.shapes("referrals", BsonDocument.parse("{learnerId: 'l', receivingAgencyId:"
                + " {$in: ['a']}, status: {$in: ['SUBMITTED']}}"), new BsonDocument()).getFirst();
        assertThat(COVERAGE.serves(List.of(new Key("receivingAgencyId", 1), new Key("status", 1)), cascade))
                .as("one learner's referrals, found by walking the agency's").isFalse();
        assertThat(COVERAGE.serves(List.of(new Key("learnerId", 1), new Key("receivingAgencyId", 1),
                new Key("status", 1)), cascade)).isTrue();
    }
}
