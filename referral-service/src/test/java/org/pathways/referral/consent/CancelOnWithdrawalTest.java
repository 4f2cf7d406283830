package org.pathways.referral.consent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.referral.ReferralServiceTest;
import org.pathways.referral.config.ReferralProperties;
import org.pathways.referral.readmodel.LearnerReferrals;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The CANCEL policy, on the real store and broker within the module's one context: a second cascade configured to
 * cancel is run directly (the context's own one holds, its default).
 */
class CancelOnWithdrawalTest extends ReferralServiceTest {

    @Autowired
    Outbox outbox;
    @Autowired
    MongoTemplate mongo;
    @Autowired
    Clock clock;
    @Autowired
    LearnerReferrals learners;

    @Test
    void underTheCancelPolicyAWithdrawalCancelsOpenReferralsOnce() {
        ConsentWithdrawals cancelling = new ConsentWithdrawals(outbox, mongo, new ReferralProperties(
                ReferralProperties.OnConsentWithdrawn.CANCEL, null), clock, agencyKinds, learners);
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode referral = step(worker(COLLEGE), submitted(s), "RECEIVE", null);
        String id = referral.get("id").asString();
        ConsentWithdrawn withdrawn = new ConsentWithdrawn(s.learnerId(), s.consentId(), COLLEGE,
                ConsentPurpose.REFERRAL_SHARING, Instant.now());

        cancelling.withdrawn(withdrawn, agency -> false);
        cancelling.withdrawn(withdrawn, agency -> false);

        assertThat(api().get("/api/referrals/" + id, worker(COUNCIL)).text("status")).isEqualTo("CANCELLED");
        JsonNode cancelled = eventsOf(id, "cancelled", 1).getFirst().get("data");
        assertThat(cancelled.get("reason").asString()).isEqualTo("CONSENT_WITHDRAWN");
        assertThat(typesSoFar(id, COUNCIL)).containsExactly("submitted", "received", "cancelled");
        // Closed: a new referral may be opened once consent is given again.
        assertThat(mongo.getCollection("referrals").find(new org.bson.Document("_id", id)).first())
                .doesNotContainKey("openKey");
    }
}
