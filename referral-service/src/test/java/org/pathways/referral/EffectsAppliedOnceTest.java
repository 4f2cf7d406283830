package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.messaging.inbox.AppliedEvents;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.testing.HandledEvents;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;

/**
 * A crash between a handler's effect and the inbox's done mark delivers the event again, and the inbox lets it
 * through (it has no mark): the effect, recorded with the event's id in the same write, is not applied again.
 */
class EffectsAppliedOnceTest extends ReferralServiceTest {

    @Autowired
    EventInbox inbox;

    @Test
    void aConsentGrantDeliveredAgainAfterACrashDoesNotReopenAnExpiryAppliedSince() {
        String learnerId = "lrn-" + UUID.randomUUID();
        String consentId = "cns-" + UUID.randomUUID();
        ConsentGranted granted = new ConsentGranted(learnerId, consentId, COLLEGE, ConsentPurpose.REFERRAL_SHARING,
                Instant.now().minusSeconds(60), Instant.now().minusSeconds(1));
        String eventId = events.publish(granted);
        HandledEvents.awaitHandled(store, "learner-events", eventId, DEADLINE);
        Query consent = Query.query(Criteria.where("_id").is(consentId));
        assertThat(store.findOne(consent, Document.class, "consent-views").getList(AppliedEvents.FIELD, String.class))
                .containsExactly(eventId);

        // The expiry check applied the consent's expiry meanwhile.
        store.updateFirst(consent, new Update().set("expiryApplied", true), "consent-views");
        // The process had died after the grant's effect and before the inbox's mark: the grant comes again.
        store.remove(Query.query(Criteria.where("_id").is("learner-events:" + eventId)), "inbox");
        events.publish(eventId, granted);
        HandledEvents.awaitHandled(store, "learner-events", eventId, DEADLINE);

        Document view = store.findOne(consent, Document.class, "consent-views");
        assertThat(view.getBoolean("expiryApplied")).as("the expiry stays applied").isTrue();
        assertThat(view.getList(AppliedEvents.FIELD, String.class)).containsExactly(eventId);
        assertThat(view.getString("purpose")).isEqualTo("REFERRAL_SHARING");
        // The store here has no transactions: the learner events' handler relies on its per-document guards.
        assertThat(inbox.inTransaction("learner-events")).isFalse();
    }
}
