package org.pathways.referral.readmodel;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.learner.LearnerErased;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.opportunity.OpportunityPlacesChanged;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.opportunity.OpportunityUpdated;
import org.pathways.events.opportunity.OpportunityWithdrawn;
import org.pathways.messaging.agency.AgencyKindChangeListener;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.messaging.inbox.AppliedEvents;
import org.pathways.messaging.inbox.BatchScope;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.messaging.Message;

/**
 * Local read models of consents and opportunities, built from the learner and catalogue topics (agencies' kinds
 * are the shared {@link AgencyKinds} read model's, kept from the agency topic),
 * so that a referral is checked at submission without a synchronous call to another service. Each write is an
 * idempotent upsert keyed by the consent, opportunity or agency id, so replaying the topics rebuilds the same
 * state. A withdrawn referral-sharing consent also stops the open referrals it covered, and an erasure erases the
 * learner's referrals: the {@code consent} and {@code erasure} features listen ({@link ConsentListener},
 * {@link ErasureListener}), so the read models depend on no feature.
 *
 * <p>Effects applied once: a learner's registration and a consent's grant or withdrawal record the event's id in the
 * same write as their effect ({@link AppliedEvents}), so one redelivered after a crash between the effect and the
 * inbox's mark changes nothing (a grant applied again would otherwise re-open an expiry already applied). The
 * learner events' handler spans documents (a withdrawal holds referrals; an erasure erases them): where the store
 * has transactions it commits with the inbox's mark in one, elsewhere each referral's own state keeps the cascade
 * from acting twice. Opportunity views are {@code $set} upserts of the event's own values: a replay in partition
 * order converges on the same document.
 */
@Configuration
public class ReadModelProjections {

    private static final String LEARNER_VIEWS = "learner-views";
    private static final String CONSENT_VIEWS = "consent-views";

    private final MongoTemplate mongo;
    private final ConsentListener consentWithdrawals;
    private final ErasureListener learnerErasure;
    private final Clock clock;
    private final AgencyKinds agencyKinds;
    private final AppliedEvents applied;
    private final LearnerReferrals learners;

    ReadModelProjections(MongoTemplate mongo, ConsentListener consentWithdrawals, ErasureListener learnerErasure,
                         Clock clock, AgencyKinds agencyKinds, AppliedEvents applied, LearnerReferrals learners) {
        this.applied = applied;
        this.mongo = mongo;
        this.learners = learners;
        this.consentWithdrawals = consentWithdrawals;
        this.learnerErasure = learnerErasure;
        this.clock = clock;
        this.agencyKinds = agencyKinds;
    }

    @Bean
    Consumer<Message<byte[]>> learnerEvents(EventInbox inbox) {
        return inbox.consumerSpanningDocuments("learner-events", this::onLearnerEvent);
    }

    /**
     * A batch consumer: a burst of referrals comes back from the catalogue as one places event each. Each event's
     * view change is a {@code $set} of the event's own values, so the changes of one opportunity within a batch
     * merge (a later value wins, as it would have written last) into one upsert, and the batch's upserts go out in
     * one bulk write when it completes, before its events are marked done.
     */
    @Bean
    Consumer<Message<List<byte[]>>> opportunityEvents(EventInbox inbox) {
        return inbox.batchConsumer("opportunity-events", this::onOpportunityEvent, new BatchScope() {
            @Override
            public void begin(List<ReceivedEvent> events) {
                heldViews.set(new LinkedHashMap<>());
            }

            @Override
            public void complete() {
                Map<String, Update> held = heldViews.get();
                if (held == null || held.isEmpty()) {
                    return;
                }
                BulkOperations upserts = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, OpportunityView.class);
                held.forEach((opportunityId, update) -> upserts.upsert(byId(opportunityId), update));
                upserts.execute();
                held.clear();
            }

            @Override
            public void close() {
                heldViews.remove();
            }
        });
    }

    /** The opportunity views this thread's batch changed, by id, each as one merged {@code $set}; none outside a batch. */
    private final ThreadLocal<Map<String, Update>> heldViews = new ThreadLocal<>();

    private static Query byId(String opportunityId) {
        return Query.query(Criteria.where("_id").is(opportunityId));
    }

    /** Sets these values on the opportunity's view (creating it), now or, in a batch, with the batch's others. */
    private void setView(String opportunityId, Update update) {
        Map<String, Update> held = heldViews.get();
        if (held == null) {
            mongo.upsert(byId(opportunityId), update, OpportunityView.class);
            return;
        }
        held.merge(opportunityId, update, (earlier, later) -> {
            Update merged = new Update();
            earlier.getUpdateObject().get("$set", org.bson.Document.class).forEach(merged::set);
            later.getUpdateObject().get("$set", org.bson.Document.class).forEach(merged::set);
            return merged;
        });
    }

    /**
     * An agency that changes kind (the agency events are kept by the shared {@link AgencyKinds} read model): the
     * referrals a consent for its former kind covered are covered no longer, unless another consent covers them. An
     * agency whose kind was unknown gains a kind and loses nothing.
     */
    @Bean
    AgencyKindChangeListener referralsFollowAgencyKind() {
        return (agencyId, before, after) -> {
            if (before != null) {
                Instant now = clock.instant();
                consentWithdrawals.agencyKindChanged(agencyId,
                        learnerId -> referralSharingAllowed(learnerId, agencyId, now));
            }
        };
    }

    void onLearnerEvent(ReceivedEvent event) {
        if (event.is(EventType.LEARNER_REGISTERED)) {
            LearnerRegistered registered = event.data(LearnerRegistered.class);
            applied.applyOnce(LEARNER_VIEWS, registered.learnerId(), event.id(), new Update()
                    .set("registeringAgencyId", registered.registeringAgencyId())
                    .set("registeredAt", registered.registeredAt()), true);
        } else if (event.is(EventType.CONSENT_GRANTED)) {
            ConsentGranted granted = event.data(ConsentGranted.class);
            // An upsert that never resurrects a consent already withdrawn (replays keep the withdrawal), and, with
            // the event id in the same write, never re-opens an expiry applied since.
            applied.applyOnce(CONSENT_VIEWS, granted.consentId(), event.id(), new Update()
                    .set("learnerId", granted.learnerId())
                    .set("agencyId", granted.agencyId())
                    .set("agencyKind", name(granted.agencyKind()))
                    .set("purpose", name(granted.purpose()))
                    .set("grantedAt", granted.grantedAt())
                    .set("expiresAt", granted.expiresAt())
                    .unset("expiryApplied"), true);
            learners.addConsent(granted.learnerId(), granted.consentId());
        } else if (event.is(EventType.CONSENT_WITHDRAWN)) {
            ConsentWithdrawn withdrawn = event.data(ConsentWithdrawn.class);
            applied.applyOnce(CONSENT_VIEWS, withdrawn.consentId(), event.id(), new Update()
                    .set("learnerId", withdrawn.learnerId())
                    .set("agencyId", withdrawn.agencyId())
                    .set("agencyKind", name(withdrawn.agencyKind()))
                    .set("purpose", name(withdrawn.purpose()))
                    .set("withdrawnAt", withdrawn.withdrawnAt()), true);
            learners.addConsent(withdrawn.learnerId(), withdrawn.consentId());
            // Always (a crash may have come between the view and the cascade): each referral's state keeps it once.
            Instant now = clock.instant();
            consentWithdrawals.withdrawn(withdrawn,
                    agencyId -> referralSharingAllowed(withdrawn.learnerId(), agencyId, now));
        } else if (event.is(EventType.LEARNER_ERASED)) {
            learnerErasure.erased(event.data(LearnerErased.class));
        } else if (event.is(EventType.LEARNER_MERGED)) {
            // The retired id stands for the survivor: a consent granted on the survivor after the merge gives
            // standing for the referrals made under the retired id too.
            org.pathways.events.learner.LearnerMerged merged =
                    event.data(org.pathways.events.learner.LearnerMerged.class);
            applied.applyOnce(LEARNER_VIEWS, merged.learnerId(), event.id(), new Update()
                    .set("mergedInto", merged.survivingLearnerId()), true);
        }
    }

    private static String name(Enum<?> value) {
        return value == null ? null : value.name();
    }

    void onOpportunityEvent(ReceivedEvent event) {
        if (event.is(EventType.OPPORTUNITY_PUBLISHED)) {
            OpportunityPublished published = event.data(OpportunityPublished.class);
            // Every field of the view: what a replace of the whole view would write.
            setView(published.opportunityId(), new Update()
                    .set("providerAgencyId", published.providerAgencyId())
                    .set("status", OpportunityView.Status.PUBLISHED)
                    .set("capacity", published.capacity())
                    .set("placesTaken", published.placesTaken())
                    .set("leadsTo", published.leadsTo()));
        } else if (event.is(EventType.OPPORTUNITY_UPDATED)) {
            OpportunityUpdated updated = event.data(OpportunityUpdated.class);
            Update update = new Update()
                    .set("providerAgencyId", updated.providerAgencyId())
                    .set("capacity", updated.capacity())
                    .set("placesTaken", updated.placesTaken())
                    .set("leadsTo", updated.leadsTo());
            OpportunityView.Status status = OpportunityView.Status.of(updated.status());
            if (status != null) {
                update.set("status", status);
            }
            setView(updated.opportunityId(), update);
        } else if (event.is(EventType.OPPORTUNITY_PLACES_CHANGED)) {
            OpportunityPlacesChanged changed = event.data(OpportunityPlacesChanged.class);
            Update update = new Update()
                    .set("providerAgencyId", changed.providerAgencyId())
                    .set("capacity", changed.capacity())
                    .set("placesTaken", changed.placesTaken());
            OpportunityView.Status status = OpportunityView.Status.of(changed.status());
            if (status != null) {
                update.set("status", status);
            }
            setView(changed.opportunityId(), update);
        } else if (event.is(EventType.OPPORTUNITY_WITHDRAWN)) {
            OpportunityWithdrawn withdrawn = event.data(OpportunityWithdrawn.class);
            setView(withdrawn.opportunityId(), new Update()
                    .set("providerAgencyId", withdrawn.providerAgencyId())
                    .set("status", OpportunityView.Status.WITHDRAWN));
        }
    }

    /**
     * Whether {@code agencyId} has standing to refer the learner at {@code at}: it registered them, or the learner
     * has a consent in force for it (or its kind) to share for referral — the consent that lets a referral reach an
     * agency also lets that agency refer the learner onwards. Consents for contact or outcome sharing give none.
     */
    public boolean mayRefer(String learnerId, String agencyId, Instant at) {
        // A record merged into another stands for it: the survivor's registration and consents count too (a few
        // hops at most; one read by _id each, and none beyond the first for a record never merged).
        String id = learnerId;
        for (int hops = 0; hops < 5 && id != null; hops++) {
            LearnerView learner = mongo.findById(id, LearnerView.class);
            if (learner != null && agencyId.equals(learner.registeringAgencyId())
                    || referralSharingAllowed(id, agencyId, at)) {
                return true;
            }
            id = learner == null ? null : learner.mergedInto();
        }
        return false;
    }

    /** Whether {@code agencyId} registered the learner (one read by {@code _id}). */
    public boolean registeredBy(String learnerId, String agencyId) {
        LearnerView learner = mongo.findById(learnerId, LearnerView.class);
        return learner != null && agencyId.equals(learner.registeringAgencyId());
    }

    /**
     * The learner's consents to share for referral that are in force at {@code at}: what {@link
     * #referralSharingAllowed(List, String)} decides on, read once for several agencies (two reads by {@code _id}).
     */
    public List<ConsentView> sharingConsentsInForce(String learnerId, Instant at) {
        // The learner's consents, found through the learner's document and read by _id (see LearnerReferrals).
        return learners.byIds(learners.consentIds(learnerId), ConsentView.class).stream()
                .filter(consent -> consent.purpose() == ConsentPurpose.REFERRAL_SHARING)
                .filter(consent -> consent.grantedAt() != null && consent.allowsAt(at))
                .toList();
    }

    /**
     * Whether the learner has an active consent to share a referral with {@code agencyId} at {@code at}: one for
     * that agency, or one for every agency of its kind (when the agency's kind is known).
     */
    public boolean referralSharingAllowed(String learnerId, String agencyId, Instant at) {
        return referralSharingAllowed(sharingConsentsInForce(learnerId, at), agencyId);
    }

    /** Whether one of the consents in force ({@link #sharingConsentsInForce}) allows sharing with {@code agencyId}. */
    public boolean referralSharingAllowed(List<ConsentView> inForce, String agencyId) {
        if (inForce.stream().anyMatch(consent -> consent.covers(agencyId, null))) {
            return true;
        }
        // The agency's kind is read only when no consent names the agency itself (one round trip less per
        // submission in the common case), and only when some consent is for a kind of agency.
        if (inForce.stream().noneMatch(consent -> consent.agencyKind() != null)) {
            return false;
        }
        AgencyKind kind = kindOf(agencyId).orElse(null);
        return kind != null && inForce.stream().anyMatch(consent -> consent.covers(agencyId, kind));
    }

    /** Lists a referral under its learner: before the referral is saved (see {@link LearnerReferrals}). */
    public void listReferral(String learnerId, String referralId) {
        learners.addReferral(learnerId, referralId);
    }

    public Optional<OpportunityView> opportunity(String opportunityId) {
        return Optional.ofNullable(mongo.findById(opportunityId, OpportunityView.class));
    }

    public Optional<AgencyKind> kindOf(String agencyId) {
        return agencyKinds.kindOf(agencyId);
    }
}
