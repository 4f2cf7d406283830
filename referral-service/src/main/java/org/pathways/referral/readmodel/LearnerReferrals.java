package org.pathways.referral.readmodel;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

import org.bson.Document;
import org.pathways.platform.store.Migrations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * One document per learner, keyed by the learner id: the ids of the learner's referrals made here and of the consents
 * the learner events told of. A consent withdrawal finds the learner's referrals, and a consent check the learner's
 * consents, through it by {@code _id}, then reads those by {@code _id} too: the embedded store serves only {@code _id}
 * and unique indexes, so a look-up by the referrals' or consents' {@code learnerId} read the whole collection for
 * every withdrawal and every submission. A referral is listed before it is saved (listed but never saved: found by
 * nobody), a consent when its event is applied. Grows with one person's referrals and consents only. Ids only.
 *
 * <p>At start, built once from the referrals and consents kept before it existed (noted in
 * {@code referral-migrations}, {@link Migrations}).
 */
@Component
public class LearnerReferrals implements SmartInitializingSingleton {

    @org.springframework.data.mongodb.core.mapping.Document(LearnerReferrals.COLLECTION)
    record Listed(@Id String learnerId, Set<String> referralIds, Set<String> consentIds) {
    }

    static final String COLLECTION = "learner-referrals";
    /** Where the referral-service notes its one-off store work ({@link Migrations}). */
    public static final String MIGRATIONS = "referral-migrations";
    static final String MIGRATION = "learner-referrals-built";
    private static final Logger log = LoggerFactory.getLogger(LearnerReferrals.class);

    private final MongoTemplate mongo;
    private final Clock clock;

    LearnerReferrals(MongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
    }

    /** The ids of the learner's referrals (open or not). */
    public Set<String> referralIds(String learnerId) {
        Listed listed = learnerId == null ? null : mongo.findById(learnerId, Listed.class);
        return listed == null || listed.referralIds() == null ? Set.of() : listed.referralIds();
    }

    /** The ids of the learner's consents (in force or not). */
    public Set<String> consentIds(String learnerId) {
        Listed listed = learnerId == null ? null : mongo.findById(learnerId, Listed.class);
        return listed == null || listed.consentIds() == null ? Set.of() : listed.consentIds();
    }

    /** The documents of these ids, read by {@code _id}. */
    public <T> List<T> byIds(Collection<String> ids, Class<T> type) {
        return ids.isEmpty() ? List.of() : mongo.find(Query.query(Criteria.where("_id").in(ids)), type);
    }

    public void addReferral(String learnerId, String referralId) {
        add(learnerId, "referralIds", referralId);
    }

    void addConsent(String learnerId, String consentId) {
        add(learnerId, "consentIds", consentId);
    }

    private void add(String learnerId, String list, String id) {
        if (learnerId != null && id != null) {
            mongo.upsert(Query.query(Criteria.where("_id").is(learnerId)), new Update().addToSet(list, id),
                    Listed.class);
        }
    }

    @Override
    public void afterSingletonsInstantiated() {
        new Migrations(mongo, MIGRATIONS, clock).once(MIGRATION, () -> {
            int listed = build();
            if (listed > 0) {
                log.info("Listed {} referrals and consents by learner", listed);
            }
        });
    }

    /** Lists the referrals and consents kept before these documents existed (repeatable: the lists are sets). */
    int build() {
        int[] listed = {0};
        each("referrals", (learner, id) -> {
            addReferral(learner, id);
            listed[0]++;
        });
        each("consent-views", (learner, id) -> {
            addConsent(learner, id);
            listed[0]++;
        });
        return listed[0];
    }

    private void each(String collection, BiConsumer<String, String> add) {
        Query all = new Query();
        all.fields().include("learnerId");
        mongo.stream(all, Document.class, collection).forEach(document -> {
            if (document.get("learnerId") instanceof String learnerId) {
                add.accept(learnerId, document.get("_id").toString());
            }
        });
    }
}
