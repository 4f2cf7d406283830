package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/** An agency's incoming and outgoing referrals: scoped to it, filtered, paged by an opaque cursor. */
class InboxTest extends ReferralServiceTest {

    private List<String> ids(HttpApi.Response page) {
        List<String> ids = new ArrayList<>();
        page.body().get("items").forEach(item -> ids.add(item.get("id").asString()));
        return ids;
    }

    @Test
    void anAgencySeesItsIncomingReferralsNewestFirstPageByPageWithFilters() {
        String provider = "agency-adult-" + UUID.randomUUID().toString().substring(0, 8);
        Scenario course = consentedLearnerAndPublishedCourse(provider, 50, 0);
        Instant before = Instant.now().minusSeconds(1);
        List<String> submitted = new ArrayList<>();
        submitted.add(submitted(course).get("id").asString());
        for (int i = 0; i < 4; i++) {
            submitted.add(submitted(anotherLearner(course)).get("id").asString());
        }
        Scenario otherCourse = consentedLearnerAndPublishedCourse(provider, 50, 0);
        JsonNode onOtherCourse = submitted(otherCourse);
        String token = worker(provider);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpApi.Response page = api().get("/api/referrals?direction=incoming&limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor), token);
            assertThat(page.status()).isEqualTo(200);
            seen.addAll(ids(page));
            cursor = page.body().get("next").isNull() ? null : page.text("next");
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(6).doesNotHaveDuplicates().containsAll(submitted)
                .contains(onOtherCourse.get("id").asString());
        assertThat(seen.getFirst()).isEqualTo(onOtherCourse.get("id").asString());

        assertThat(ids(api().get("/api/referrals?direction=incoming&opportunityId=" + course.opportunityId(),
                token))).containsExactlyInAnyOrderElementsOf(submitted);

        JsonNode first = api().get("/api/referrals/" + submitted.getFirst(), token).body();
        step(token, first, "RECEIVE", null);
        assertThat(ids(api().get("/api/referrals?direction=incoming&status=RECEIVED", token)))
                .containsExactly(submitted.getFirst());
        // mine: the referrals this worker took on
        assertThat(ids(api().get("/api/referrals?direction=incoming&mine=true", token)))
                .containsExactly(submitted.getFirst());
        assertThat(ids(api().get("/api/referrals?direction=incoming&mine=true",
                TestTokens.token("another-worker", provider, org.pathways.platform.security.Role.WORKER))))
                .isEmpty();
        assertThat(ids(api().get("/api/referrals?direction=incoming&overdue=true", token))).isEmpty();
        assertThat(ids(api().get("/api/referrals?direction=incoming&overdue=false", token))).hasSize(6);
        assertThat(ids(api().get("/api/referrals?direction=incoming&submittedFrom=" + before
                + "&submittedTo=" + before.plusSeconds(3600), token))).hasSize(6);
        assertThat(ids(api().get("/api/referrals?direction=incoming&submittedTo=" + before, token))).isEmpty();

        // The referring agency sees them as outgoing; the provider has no outgoing ones; another agency sees none.
        assertThat(ids(api().get("/api/referrals?direction=outgoing&opportunityId=" + course.opportunityId(),
                worker(COUNCIL)))).containsExactlyInAnyOrderElementsOf(submitted);
        assertThat(ids(api().get("/api/referrals?direction=outgoing&mine=true&opportunityId="
                + course.opportunityId(), worker(COUNCIL)))).containsExactlyInAnyOrderElementsOf(submitted);
        assertThat(ids(api().get("/api/referrals?direction=outgoing&mine=true&opportunityId="
                + course.opportunityId(), TestTokens.token("colleague", COUNCIL,
                org.pathways.platform.security.Role.WORKER)))).isEmpty();
        assertThat(ids(api().get("/api/referrals?direction=outgoing", token))).isEmpty();
        assertThat(ids(api().get("/api/referrals?direction=incoming&opportunityId=" + course.opportunityId(),
                worker(JOBCENTRE)))).isEmpty();
    }

    @Test
    void oneLearnersReferralsAreListedOnlyAmongTheCallersAgencysOwn() {
        String provider = "agency-adult-" + UUID.randomUUID().toString().substring(0, 8);
        String elsewhere = "agency-other-" + UUID.randomUUID().toString().substring(0, 8);
        Scenario learner = consentedLearnerAndPublishedCourse(provider, 50, 0);
        Scenario neighbour = anotherLearner(learner);
        // The same learner, referred by the jobcentre (standing: her consent for it) to another agency's course.
        Scenario viaJobcentre = consentedLearnerAndPublishedCourse(elsewhere, 50, 0);
        viaJobcentre = new Scenario(learner.learnerId(), viaJobcentre.opportunityId(), "cns-" + UUID.randomUUID(),
                elsewhere);
        grantConsent(learner.learnerId(), viaJobcentre.consentId(), elsewhere);
        grantConsent(learner.learnerId(), "cns-" + UUID.randomUUID(), JOBCENTRE);

        String councilsFirst = submitted(learner).get("id").asString();
        String neighbours = submitted(neighbour).get("id").asString();
        HttpApi.Response jobcentres = submitWhenKnown(viaJobcentre, worker(JOBCENTRE));
        assertThat(jobcentres.status()).as(jobcentres.toString()).isEqualTo(201);
        String jobcentresId = jobcentres.body().get("id").asString();
        String herReferrals = "&learnerId=" + learner.learnerId();

        // Unfiltered, the council's outbox and the provider's inbox hold both learners' referrals.
        assertThat(ids(api().get("/api/referrals?direction=outgoing&opportunityId=" + learner.opportunityId(),
                worker(COUNCIL)))).containsExactlyInAnyOrder(councilsFirst, neighbours);
        // Filtered, only hers; never the jobcentre's referral of her, which the council is no party to.
        assertThat(ids(api().get("/api/referrals?direction=outgoing" + herReferrals, worker(COUNCIL))))
                .containsExactly(councilsFirst);
        assertThat(ids(api().get("/api/referrals?direction=incoming" + herReferrals, worker(provider))))
                .containsExactly(councilsFirst);
        assertThat(ids(api().get("/api/referrals?direction=incoming&learnerId=" + neighbour.learnerId(),
                worker(provider)))).containsExactly(neighbours);
        assertThat(ids(api().get("/api/referrals?direction=outgoing" + herReferrals, worker(JOBCENTRE))))
                .containsExactly(jobcentresId);
        assertThat(ids(api().get("/api/referrals?direction=incoming" + herReferrals, worker(elsewhere))))
                .containsExactly(jobcentresId);
        // The direction rules stand: the receiving agency has no outgoing referral of her; others see nothing.
        assertThat(ids(api().get("/api/referrals?direction=outgoing" + herReferrals, worker(provider)))).isEmpty();
        assertThat(ids(api().get("/api/referrals?direction=incoming" + herReferrals, worker(COUNCIL)))).isEmpty();
        assertThat(ids(api().get("/api/referrals?direction=incoming" + herReferrals, worker(COLLEGE)))).isEmpty();
        // Combined with the other filters.
        assertThat(ids(api().get("/api/referrals?direction=outgoing&mine=true" + herReferrals, worker(COUNCIL))))
                .containsExactly(councilsFirst);
        assertThat(ids(api().get("/api/referrals?direction=outgoing&status=RECEIVED" + herReferrals,
                worker(COUNCIL)))).isEmpty();
    }

    @Test
    void badInboxQueriesAreProblemDetails() {
        String token = worker(COLLEGE);
        for (String query : List.of("direction=sideways", "", "direction=incoming&limit=0",
                "direction=incoming&limit=1000", "direction=incoming&cursor=not-a-cursor",
                "direction=incoming&cursor=" + java.util.Base64.getUrlEncoder().encodeToString("x:{$gt}".getBytes()),
                "direction=incoming&status=LOST", "direction=incoming&submittedFrom=yesterday",
                "direction=incoming&opportunityId=%7B%24gt%7D", "direction=incoming&overdue=maybe",
                "direction=incoming&learnerId=%7B%24gt%7D", "direction=incoming&learnerId=",
                // Parsed by java.time, but past any store's dates: a 500 the gateway's breaker counted before.
                "direction=incoming&submittedFrom=%2B999999999-12-31T23:59:59Z",
                "direction=incoming&submittedTo=-999999999-01-01T00:00:00Z")) {
            HttpApi.Response response = api().get("/api/referrals?" + query, token);
            assertThat(response.status()).as(query).isEqualTo(400);
            assertThat(response.contentType()).as(query).startsWith("application/problem+json");
        }
        assertThat(api().get("/api/referrals?direction=incoming", coordinator()).status()).isEqualTo(403);
    }
}
