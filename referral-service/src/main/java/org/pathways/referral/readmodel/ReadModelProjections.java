package org.pathways.referral.readmodel;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.pathways.events.EventType;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.opportunity.OpportunityWithdrawn;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.referral.consent.ConsentWithdrawals;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.messaging.Message;

/**
 * Local read models of consents and opportunities, built from the learner and catalogue topics, so that a referral
 * is checked at submission without a synchronous call to another service. Each write is an idempotent upsert keyed
 * by the consent or opportunity id, so replaying the topics rebuilds the same state. A withdrawn referral-sharing
 * consent also stops the open referrals it covered ({@link ConsentWithdrawals}).
 */
@Configuration
public class ReadModelProjections {

    private final MongoTemplate mongo;
    private final ConsentWithdrawals consentWithdrawals;
    private final Clock clock;

    ReadModelProjections(MongoTemplate mongo, ConsentWithdrawals consentWithdrawals, Clock clock) {
        this.mongo = mongo;
        this.consentWithdrawals = consentWithdrawals;
        this.clock = clock;
    }

    @Bean
    Consumer<Message<byte[]>> learnerEvents(EventInbox inbox) {
        return inbox.consumer("learner-events", this::onLearnerEvent);
    }

    @Bean
    Consumer<Message<byte[]>> opportunityEvents(EventInbox inbox) {
        return inbox.consumer("opportunity-events", this::onOpportunityEvent);
    }

    void onLearnerEvent(ReceivedEvent event) {
        if (event.is(EventType.CONSENT_GRANTED)) {
            ConsentGranted granted = event.data(ConsentGranted.class);
            // An upsert that never resurrects a consent already withdrawn (replays keep the withdrawal).
            mongo.upsert(Query.query(Criteria.where("_id").is(granted.consentId())), new Update()
                    .set("learnerId", granted.learnerId())
                    .set("agencyId", granted.agencyId())
                    .set("purpose", granted.purpose())
                    .set("grantedAt", granted.grantedAt())
                    .set("expiresAt", granted.expiresAt()), ConsentView.class);
        } else if (event.is(EventType.CONSENT_WITHDRAWN)) {
            ConsentWithdrawn withdrawn = event.data(ConsentWithdrawn.class);
            mongo.upsert(Query.query(Criteria.where("_id").is(withdrawn.consentId())), new Update()
                    .set("learnerId", withdrawn.learnerId())
                    .set("agencyId", withdrawn.agencyId())
                    .set("purpose", withdrawn.purpose())
                    .set("withdrawnAt", withdrawn.withdrawnAt()), ConsentView.class);
            consentWithdrawals.withdrawn(withdrawn,
                    referralSharingAllowed(withdrawn.learnerId(), withdrawn.agencyId(), clock.instant()));
        }
    }

    void onOpportunityEvent(ReceivedEvent event) {
        if (event.is(EventType.OPPORTUNITY_PUBLISHED)) {
            OpportunityPublished published = event.data(OpportunityPublished.class);
            mongo.save(new OpportunityView(published.opportunityId(), published.providerAgencyId(),
                    OpportunityView.Status.PUBLISHED, published.capacity(), published.placesTaken()));
        } else if (event.is(EventType.OPPORTUNITY_WITHDRAWN)) {
            OpportunityWithdrawn withdrawn = event.data(OpportunityWithdrawn.class);
            mongo.upsert(Query.query(Criteria.where("_id").is(withdrawn.opportunityId())), new Update()
                    .set("providerAgencyId", withdrawn.providerAgencyId())
                    .set("status", OpportunityView.Status.WITHDRAWN), OpportunityView.class);
        }
    }

    /** Whether the learner has an active consent to share a referral with {@code agencyId} at {@code at}. */
    public boolean referralSharingAllowed(String learnerId, String agencyId, Instant at) {
        List<ConsentView> consents = mongo.find(Query.query(Criteria.where("learnerId").is(learnerId)
                .and("agencyId").is(agencyId).and("purpose").is(ConsentPurpose.REFERRAL_SHARING)), ConsentView.class);
        return consents.stream().anyMatch(consent -> consent.grantedAt() != null && consent.allowsAt(at));
    }

    public Optional<OpportunityView> opportunity(String opportunityId) {
        return Optional.ofNullable(mongo.findById(opportunityId, OpportunityView.class));
    }
}
