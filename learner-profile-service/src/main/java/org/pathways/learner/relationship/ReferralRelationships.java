package org.pathways.learner.relationship;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.bson.Document;

import org.pathways.events.referral.ReferralStatus;
import org.pathways.messaging.inbox.AppliedEvents;
import org.pathways.messaging.inbox.BatchScope;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Service;

/** The learners' referral relationships with agencies, kept from referral events. */
@Service
public class ReferralRelationships {

    private static final String COLLECTION = "referral_relationships";

    private final MongoTemplate mongo;
    private final AppliedEvents applied;
    private final ReferralsByLearner byLearner;
    /** The batch being consumed on this thread, if any. */
    private final ThreadLocal<Batch> batches = new ThreadLocal<>();

    /** Told of learners whose referral closed or was held for consent ({@link RelationshipsEnded}). */
    private final org.springframework.context.ApplicationEventPublisher ended;

    ReferralRelationships(MongoTemplate mongo, AppliedEvents applied, ReferralsByLearner byLearner,
                          org.springframework.context.ApplicationEventPublisher ended) {
        this.ended = ended;
        this.mongo = mongo;
        this.applied = applied;
        this.byLearner = byLearner;
    }

    /**
     * The open referrals of any of {@code learnerIds} (a record and those merged into it) that {@code agencyId}
     * receives. Only the receiving side gains access through a referral: the referring agency needs standing of
     * its own (it registered the learner, or holds their consent), and a referral adds nothing to it.
     */
    public List<ReferralRelationship> openReceivedBy(String agencyId, Collection<String> learnerIds) {
        return of(learnerIds).stream().filter(relationship -> relationship.opensTo(agencyId)).toList();
    }

    /** The open referrals of any of {@code learnerIds} (a record and those merged into it), oldest id first. */
    public List<ReferralRelationship> openOf(Collection<String> learnerIds) {
        return of(learnerIds).stream().filter(ReferralRelationship::isLive)
                .sorted(java.util.Comparator.comparing(ReferralRelationship::referralId)).toList();
    }

    /**
     * The referrals of any of {@code learnerIds}, found through their lists ({@link ReferralsByLearner}) and read by
     * {@code _id}: two reads by {@code _id}, however many referrals the partnership holds. A referral the events
     * have since moved to another learner (a merge) is listed under both and kept for the one it names now.
     */
    private List<ReferralRelationship> of(Collection<String> learnerIds) {
        Set<String> referralIds = byLearner.referralIds(learnerIds);
        if (referralIds.isEmpty()) {
            return List.of();
        }
        return mongo.find(Query.query(Criteria.where("_id").in(referralIds)), ReferralRelationship.class).stream()
                .filter(relationship -> learnerIds.contains(relationship.learnerId())).toList();
    }

    /** Whether {@code referralId} is a referral of any of {@code learnerIds} (a record and those merged into it). */
    public boolean isReferralOf(String referralId, Collection<String> learnerIds) {
        ReferralRelationship known = mongo.findById(referralId, ReferralRelationship.class);
        return known != null && learnerIds.contains(known.learnerId());
    }

    /**
     * The learners (as the referral events named them: a record may since have been merged into another) of the open
     * referrals {@code agencyId} receives: the learners it may read through a referral.
     */
    public List<String> learnersReceivedBy(String agencyId) {
        Query query = Query.query(Criteria.where("receivingAgencyId").is(agencyId));
        return mongo.find(query, ReferralRelationship.class).stream()
                .filter(relationship -> relationship.opensTo(agencyId))
                .map(ReferralRelationship::learnerId).distinct().toList();
    }

    /**
     * Forgets the referrals of erased learners: who was referred where says something about a person (a health or
     * housing referral), and nothing may read the erased record anyway.
     */
    public void forget(Collection<String> learnerIds) {
        List<String> referralIds = of(learnerIds).stream().map(ReferralRelationship::referralId).toList();
        if (!referralIds.isEmpty()) {
            mongo.remove(Query.query(Criteria.where("_id").in(referralIds)), ReferralRelationship.class);
        }
        byLearner.forget(learnerIds);
    }

    /**
     * Applies news of a referral: its status {@code status} at {@code at}, unless what is known supersedes it.
     * Events of one referral arrive on one partition (keyed by referral id), handled one at a time. Inside a batch
     * ({@link #batchScope}) the relationship is taken from what the batch read ahead and the write is held back for
     * the batch's bulk write, with the event's id in the same update as before.
     */
    void apply(String eventId, String referralId, String learnerId, String referringAgencyId,
               String receivingAgencyId, String opportunityId, ReferralStatus status, Instant at,
               boolean withoutConsent) {
        Batch batch = batches.get();
        if (batch != null) {
            batch.apply(eventId, referralId, learnerId, referringAgencyId, receivingAgencyId, opportunityId, status,
                    at, withoutConsent);
            return;
        }
        ReferralRelationship known = mongo.findById(referralId, ReferralRelationship.class);
        if (known != null && !known.isSupersededBy(status, at)) {
            return;
        }
        String opportunity = opportunityId != null ? opportunityId : known == null ? null : known.opportunityId();
        if (known == null || !java.util.Objects.equals(known.learnerId(), learnerId)) {
            byLearner.list(Map.of(referralId, learnerId));  // listed first: found by nobody if the write is lost
        }
        // With the event's id in the same write: delivered again after a crash before the inbox's mark, it writes
        // nothing (the supersede rule already keeps such a repeat from rewinding the relationship).
        applied.applyOnce(COLLECTION, referralId, eventId, effect(learnerId, referringAgencyId, receivingAgencyId,
                status, at, opportunity, withoutConsent), true);
        if (ends(status, withoutConsent)) {
            ended.publishEvent(new RelationshipsEnded(java.util.Set.of(learnerId)));
        }
    }

    /** Whether a referral in {@code status} no longer makes its receiving agency a member of the learner's team. */
    private static boolean ends(ReferralStatus status, boolean withoutConsent) {
        return !status.open() || withoutConsent;
    }

    /**
     * Learners some of whose referrals closed or were held for consent, once written: an agency that was in their
     * team only through such a referral may no longer be (its plan steps go back, {@code StepOwnersFollowStanding}).
     */
    public record RelationshipsEnded(java.util.Set<String> learnerIds) {
    }

    private static Update effect(String learnerId, String referringAgencyId, String receivingAgencyId,
                                 ReferralStatus status, Instant at, String opportunityId, boolean withoutConsent) {
        return new Update()
                .set("learnerId", learnerId)
                .set("referringAgencyId", referringAgencyId)
                .set("receivingAgencyId", receivingAgencyId)
                .set("status", status.name())
                .set("asOf", at)
                .set("opportunityId", opportunityId)
                .set("withoutConsent", withoutConsent);
    }

    /**
     * For a batch consumer: before the batch, the relationships of the referrals {@code referralIds} names (with the
     * ids of the events applied to each) read with one {@code $in} by {@code _id}; each event then applied to them
     * in memory, in order, by the same rules; at the end one unordered bulk write, one upsert by {@code _id} per
     * referral changed, setting its last state and recording the ids of the events applied to it in the same
     * update. Delivered again (a crash before the inbox's marks), the events are found applied and write nothing.
     */
    public BatchScope batchScope(Function<List<ReceivedEvent>, Collection<String>> referralIds) {
        return new BatchScope() {
            @Override
            public void begin(List<ReceivedEvent> events) {
                Batch batch = new Batch();
                batch.readAhead(referralIds.apply(events));
                batches.set(batch);
            }

            @Override
            public void complete() {
                Batch batch = batches.get();
                if (batch != null) {
                    batch.write();
                }
            }

            @Override
            public void close() {
                batches.remove();
            }
        };
    }

    /** The relationships a batch read ahead, as its events have changed them, and what is still to be written. */
    private final class Batch {

        /** A referral's relationship as the batch knows it, and the events applied to it. */
        private record Known(ReferralRelationship relationship, Set<String> applied) {
        }

        /** By referral id; a referral read ahead and not found is known as absent. */
        private final Map<String, Optional<Known>> known = new HashMap<>();
        /** The referrals changed and the events applied to each since the last write, in order. */
        private final Map<String, List<String>> changed = new LinkedHashMap<>();
        /** The learners some of whose referrals this batch closed or held for consent. */
        private final Set<String> endedFor = new java.util.LinkedHashSet<>();
        /** The referrals to list under a learner (new, or moved to another learner), by referral id. */
        private final Map<String, String> toList = new LinkedHashMap<>();

        void readAhead(Collection<String> referralIds) {
            List<String> ids = referralIds.stream().filter(id -> !known.containsKey(id)).distinct().toList();
            if (ids.isEmpty()) {
                return;
            }
            ids.forEach(id -> known.put(id, Optional.empty()));
            for (Document stored : mongo.find(Query.query(Criteria.where("_id").in(ids)), Document.class,
                    COLLECTION)) {
                known.put(stored.getString("_id"), Optional.of(new Known(
                        mongo.getConverter().read(ReferralRelationship.class, stored),
                        new HashSet<>(AppliedEvents.appliedIn(stored)))));
            }
        }

        void apply(String eventId, String referralId, String learnerId, String referringAgencyId,
                   String receivingAgencyId, String opportunityId, ReferralStatus status, Instant at,
                   boolean withoutConsent) {
            readAhead(List.of(referralId));  // one the batch did not name ahead (none, normally)
            Optional<Known> found = known.get(referralId);
            ReferralRelationship current = found.map(Known::relationship).orElse(null);
            if (found.isPresent() && found.get().applied().contains(eventId)) {
                return;
            }
            if (current != null && !current.isSupersededBy(status, at)) {
                return;
            }
            String opportunity = opportunityId != null ? opportunityId : current == null ? null
                    : current.opportunityId();
            if (current == null || !java.util.Objects.equals(current.learnerId(), learnerId)) {
                toList.put(referralId, learnerId);
            }
            Set<String> applied = found.map(Known::applied).orElseGet(HashSet::new);
            applied.add(eventId);
            known.put(referralId, Optional.of(new Known(new ReferralRelationship(referralId, learnerId,
                    referringAgencyId, receivingAgencyId, status, at, opportunity, withoutConsent), applied)));
            changed.computeIfAbsent(referralId, id -> new ArrayList<>()).add(eventId);
            if (ends(status, withoutConsent)) {
                endedFor.add(learnerId);
            }
        }

        void write() {
            if (changed.isEmpty()) {
                return;
            }
            byLearner.list(toList);  // listed first: found by nobody if the relationships' write is lost
            toList.clear();
            BulkOperations writes = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, COLLECTION);
            changed.forEach((referralId, eventIds) -> {
                ReferralRelationship last = known.get(referralId).orElseThrow().relationship();
                writes.upsert(Query.query(Criteria.where("_id").is(referralId)), applied.recording(effect(
                        last.learnerId(), last.referringAgencyId(), last.receivingAgencyId(), last.status(),
                        last.asOf(), last.opportunityId(), Boolean.TRUE.equals(last.withoutConsent())),
                        eventIds));
            });
            writes.execute();
            changed.clear();
            if (!endedFor.isEmpty()) {
                java.util.Set<String> learners = java.util.Set.copyOf(endedFor);
                endedFor.clear();
                ended.publishEvent(new RelationshipsEnded(learners));
            }
        }
    }
}
