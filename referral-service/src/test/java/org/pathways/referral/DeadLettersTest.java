package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.StreamSupport;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.pathways.events.catalogue.EventType;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.databind.JsonNode;

/**
 * The referral-service's own dead letters (reliable-messaging's endpoint, in this service): a learner's consent
 * withdrawal or erasure it could not apply is listed as such, counted apart for the alert, and, once a platform
 * administrator discards it with a reason, no longer offered. Nobody else sees them.
 */
class DeadLettersTest extends ReferralServiceTest {

    private static final String BASE = "/api/dead-letters/referral-service";
    private static final String ADMIN = TestTokens.token("platform-admin", "partnership", Role.PLATFORM_ADMIN);

    @Autowired
    MeterRegistry meters;

    private JsonNode listed(String eventId) {
        return await().atMost(DEADLINE.multipliedBy(2)).until(() -> StreamSupport.stream(
                        api().get(BASE + "?size=200", ADMIN).body().path("deadLetters").spliterator(), false)
                .filter(d -> eventId.equals(d.path("event").path("id").asString())).findFirst(),
                Optional::isPresent).get();
    }

    private double open(String sensitive) {
        return meters.get("pathways.dead.letters.open").tag("sensitive", sensitive).gauge().value();
    }

    @Test
    void aConsentWithdrawalTheServiceCouldNotApplyIsFlaggedCountedAndDiscardedWithAReason() {
        String learnerId = "lrn-" + UUID.randomUUID();
        // A withdrawal whose time no reader can parse: the handler fails on every attempt.
        String eventId = events.publishRaw("pathways.learners", EventType.CONSENT_WITHDRAWN.type(), learnerId,
                Map.of("learnerId", learnerId, "consentId", "cns-dead-" + learnerId, "agencyId", COLLEGE,
                        "purpose", "REFERRAL_SHARING", "withdrawnAt", "not a time"));

        JsonNode deadLetter = listed(eventId);
        assertThat(deadLetter.get("sensitive").asString()).isEqualTo("consent-withdrawal");
        assertThat(deadLetter.at("/origin/topic").asString()).isEqualTo("pathways.learners");
        assertThat(deadLetter.at("/event/type").asString()).isEqualTo(EventType.CONSENT_WITHDRAWN.type());
        assertThat(deadLetter.toString()).doesNotContain(learnerId).doesNotContain("not a time");
        assertThat(open("consent-withdrawal")).isGreaterThanOrEqualTo(1);

        String id = deadLetter.get("id").asString();
        assertThat(api().get(BASE, worker(COLLEGE)).isProblem(403, "forbidden")).isTrue();
        assertThat(api().get(BASE + "/" + id, coordinator()).isProblem(403, "forbidden")).isTrue();
        assertThat(api().post(BASE + "/" + id + "/discard", worker(COLLEGE), Map.of("reason", "not mine"))
                .isProblem(403, "forbidden")).isTrue();

        double before = open("consent-withdrawal");
        HttpApi.Response discarded = api().post(BASE + "/" + id + "/discard", ADMIN,
                Map.of("reason", "withdrawal re-recorded by the college on 2 Dec; this copy is unreadable"));
        assertThat(discarded.status()).as(discarded.toString()).isEqualTo(200);
        assertThat(open("consent-withdrawal")).isEqualTo(before - 1);
        assertThat(StreamSupport.stream(api().get(BASE + "?size=200", ADMIN).body().get("deadLetters")
                .spliterator(), false).map(d -> d.get("id").asString())).doesNotContain(id);
        assertThat(api().post(BASE + "/" + id + "/redrive", ADMIN, Map.of()).isProblem(409, "dead-letter-resolved"))
                .isTrue();
        assertThat(store.count(Query.query(Criteria.where("route").regex("discard")
                .and("userId").is("platform-admin").and("ids.id").is(id).and("status").is(200)), "audit-trail"))
                .isEqualTo(1);
    }

    @Test
    void anErasureThatNamesNoLearnerIsDeadLetteredAndFlaggedAsAnErasure() {
        String subject = "lrn-" + UUID.randomUUID();
        String eventId = events.publishRaw("pathways.learners", EventType.LEARNER_ERASED.type(), subject,
                Map.of("reason", "none given"));
        JsonNode deadLetter = listed(eventId);
        assertThat(deadLetter.get("sensitive").asString()).isEqualTo("erasure");
        assertThat(open("erasure")).isGreaterThanOrEqualTo(1);
    }
}
