package org.pathways.learner.relationship;

import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.Document;
import org.pathways.platform.store.Migrations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * One document per learner id, keyed by it: the ids of the referrals the referral events named the learner in. Every
 * read of a learner by an agency that did not register them asks which open referrals of the learner that agency
 * receives; through these documents that is two reads by {@code _id} (the learner's referral ids, then those
 * relationships), where a query by the relationships' {@code learnerId} read the whole collection on the embedded
 * store (it serves only {@code _id} and unique indexes) and grew with every referral in the partnership.
 *
 * <p>A referral is listed before its relationship is written, so a crash between the two leaves at most a listed id
 * with no relationship (found by nobody), never a relationship that cannot be found. The lists are sets: listing
 * again is harmless. Grows with one person's referrals only; ids only. At start, built once from the relationships
 * kept before it existed (noted in {@code learner-migrations}, {@link Migrations}).
 */
@Component
class ReferralsByLearner implements SmartInitializingSingleton {

    static final String COLLECTION = "referrals_by_learner";
    static final String MIGRATIONS = "learner-migrations";
    static final String MIGRATION = "referrals-by-learner-built";
    private static final String IDS = "referralIds";
    private static final Logger log = LoggerFactory.getLogger(ReferralsByLearner.class);

    private final MongoTemplate mongo;
    private final Clock clock;

    ReferralsByLearner(MongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
    }

    /** The ids of the referrals of any of {@code learnerIds}, read by {@code _id}. */
    Set<String> referralIds(Collection<String> learnerIds) {
        Set<String> ids = new LinkedHashSet<>();
        if (learnerIds.isEmpty()) {
            return ids;
        }
        Query query = Query.query(Criteria.where("_id").in(learnerIds));
        for (Document listed : mongo.find(query, Document.class, COLLECTION)) {
            List<String> referralIds = listed.getList(IDS, String.class);
            if (referralIds != null) {
                ids.addAll(referralIds);
            }
        }
        return ids;
    }

    /** Lists these referrals under their learners (referral id to learner id), in one bulk write. */
    void list(Map<String, String> learnerByReferral) {
        if (learnerByReferral.isEmpty()) {
            return;
        }
        Map<String, List<String>> byLearner = new java.util.LinkedHashMap<>();
        learnerByReferral.forEach((referralId, learnerId) ->
                byLearner.computeIfAbsent(learnerId, id -> new java.util.ArrayList<>()).add(referralId));
        BulkOperations writes = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, COLLECTION);
        byLearner.forEach((learnerId, referralIds) -> writes.upsert(Query.query(Criteria.where("_id").is(learnerId)),
                new Update().addToSet(IDS).each(referralIds.toArray())));
        writes.execute();
    }

    /** Forgets the lists of these learners (erased). */
    void forget(Collection<String> learnerIds) {
        mongo.remove(Query.query(Criteria.where("_id").in(learnerIds)), COLLECTION);
    }

    @Override
    public void afterSingletonsInstantiated() {
        new Migrations(mongo, MIGRATIONS, clock).once(MIGRATION, () -> {
            int listed = build();
            if (listed > 0) {
                log.info("Listed {} referral relationships by learner", listed);
            }
        });
    }

    /** Lists the relationships kept before these documents existed (repeatable: the lists are sets). */
    int build() {
        Query all = new Query();
        all.fields().include("learnerId");
        int[] listed = {0};
        Map<String, String> batch = new java.util.HashMap<>();
        mongo.stream(all, Document.class, "referral_relationships").forEach(relationship -> {
            if (relationship.get("learnerId") instanceof String learnerId) {
                batch.put(relationship.get("_id").toString(), learnerId);
                listed[0]++;
                if (batch.size() >= 1_000) {
                    list(batch);
                    batch.clear();
                }
            }
        });
        list(batch);
        return listed[0];
    }
}
