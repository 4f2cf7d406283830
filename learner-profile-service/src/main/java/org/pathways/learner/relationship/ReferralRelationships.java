package org.pathways.learner.relationship;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

import org.pathways.events.referral.ReferralStatus;
import org.pathways.messaging.inbox.AppliedEvents;
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

    ReferralRelationships(MongoTemplate mongo, AppliedEvents applied) {
        this.mongo = mongo;
        this.applied = applied;
    }

    /**
     * The open referrals of any of {@code learnerIds} (a record and those merged into it) that {@code agencyId}
     * receives. Only the receiving side gains access through a referral: the referring agency needs standing of
     * its own (it registered the learner, or holds their consent), and a referral adds nothing to it.
     */
    public List<ReferralRelationship> openReceivedBy(String agencyId, Collection<String> learnerIds) {
        Query query = Query.query(Criteria.where("learnerId").in(learnerIds)
                .and("receivingAgencyId").is(agencyId));
        return mongo.find(query, ReferralRelationship.class).stream().filter(relationship -> relationship.opensTo(agencyId)).toList();
    }

    /** The open referrals of any of {@code learnerIds} (a record and those merged into it), oldest id first. */
    public List<ReferralRelationship> openOf(Collection<String> learnerIds) {
        Query query = Query.query(Criteria.where("learnerId").in(learnerIds));
        return mongo.find(query, ReferralRelationship.class).stream().filter(ReferralRelationship::isLive)
                .sorted(java.util.Comparator.comparing(ReferralRelationship::referralId)).toList();
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
        mongo.remove(Query.query(Criteria.where("learnerId").in(learnerIds)), ReferralRelationship.class);
    }

    /**
     * Applies news of a referral: its status {@code status} at {@code at}, unless what is known supersedes it.
     * Events of one referral arrive on one partition (keyed by referral id), handled one at a time.
     */
    void apply(String eventId, String referralId, String learnerId, String referringAgencyId,
               String receivingAgencyId, String opportunityId, ReferralStatus status, Instant at) {
        ReferralRelationship known = mongo.findById(referralId, ReferralRelationship.class);
        if (known != null && !known.isSupersededBy(status, at)) {
            return;
        }
        String opportunity = opportunityId != null ? opportunityId : known == null ? null : known.opportunityId();
        // With the event's id in the same write: delivered again after a crash before the inbox's mark, it writes
        // nothing (the supersede rule already keeps such a repeat from rewinding the relationship).
        applied.applyOnce(COLLECTION, referralId, eventId, new Update()
                .set("learnerId", learnerId)
                .set("referringAgencyId", referringAgencyId)
                .set("receivingAgencyId", receivingAgencyId)
                .set("status", status.name())
                .set("asOf", at)
                .set("opportunityId", opportunity), true);
    }
}
