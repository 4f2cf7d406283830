package org.pathways.notification.routing;

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
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * One document per learner, keyed by the learner id, listing what this service keeps about the learner elsewhere:
 * the ids of its consents ({@code learner_consents}), of its referrals ({@code referral_parties}) and of the learner
 * records merged into it; and the agency that registered the learner (from {@code registered.v1}, or a merge, which
 * names it too), which has standing for the learner whatever their consents. A learner registered before this was
 * kept has none: no agency is taken for its registering agency on a guess, so such a learner's events go by their
 * consents alone, as before. Every per-event lookup of a learner's consents and referrals goes through it, by
 * {@code _id}, and then reads those by {@code _id} too: the embedded store serves only {@code _id} and unique indexes,
 * so a lookup by the consents' or referrals' {@code learnerId} would read the whole collection for every milestone.
 * Maintained by the same handlers that write the consents and referral parties; a learner's lists grow with that one
 * person's consents and referrals only. Ids only.
 *
 * <p>At start, the lists are built once from the consents, referral parties and aliases kept before they existed
 * (noted in {@code notification_migrations}, {@link Migrations}).
 */
@Component
class LearnerRecords implements SmartInitializingSingleton {

    /** What is kept under one learner id. */
    @org.springframework.data.mongodb.core.mapping.Document(LearnerRecords.COLLECTION)
    record LearnerRecord(@Id String learnerId, Set<String> consentIds, Set<String> referralIds,
                         Set<String> mergedIds, String registeringAgencyId) {

        LearnerRecord {
            consentIds = consentIds == null ? Set.of() : Set.copyOf(consentIds);
            referralIds = referralIds == null ? Set.of() : Set.copyOf(referralIds);
            mergedIds = mergedIds == null ? Set.of() : Set.copyOf(mergedIds);
        }

        static LearnerRecord empty(String learnerId) {
            return new LearnerRecord(learnerId, Set.of(), Set.of(), Set.of(), null);
        }
    }

    static final String COLLECTION = "learner_records";
    static final String MIGRATIONS = "notification_migrations";
    static final String MIGRATION = "learner-records-built";
    private static final Logger log = LoggerFactory.getLogger(LearnerRecords.class);

    private final MongoTemplate mongo;
    private final Clock clock;

    LearnerRecords(MongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
    }

    LearnerRecord of(String learnerId) {
        LearnerRecord found = mongo.findById(learnerId, LearnerRecord.class);
        return found == null ? LearnerRecord.empty(learnerId) : found;
    }

    /** The records of these learners (by {@code _id}), each empty when nothing is kept. */
    List<LearnerRecord> of(Collection<String> learnerIds) {
        if (learnerIds.size() == 1) {
            return List.of(of(learnerIds.iterator().next()));
        }
        return mongo.find(Query.query(Criteria.where("_id").in(learnerIds)), LearnerRecord.class);
    }

    /** The agency that registered the learner (it never changes; set again, it is the same). */
    void registeredBy(String learnerId, String agencyId) {
        if (learnerId != null && agencyId != null) {
            mongo.upsert(byId(learnerId), new Update().set("registeringAgencyId", agencyId), LearnerRecord.class);
        }
    }

    void addConsent(String learnerId, String consentId) {
        add(learnerId, "consentIds", List.of(consentId));
    }

    void addReferral(String learnerId, String referralId) {
        add(learnerId, "referralIds", List.of(referralId));
    }

    /** Lists referrals under their learners ({@code referralIds} by learner id), in one bulk write. */
    void addReferrals(Map<String, ? extends Collection<String>> referralIds) {
        if (referralIds.isEmpty()) {
            return;
        }
        BulkOperations writes = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, LearnerRecord.class);
        referralIds.forEach((learnerId, referrals) -> {
            Update update = new Update();
            update.addToSet("referralIds").each(referrals.toArray());
            writes.upsert(byId(learnerId), update);
        });
        writes.execute();
    }

    /**
     * Moves what is kept under {@code retired} onto {@code survivor}, whose merged ids it joins; {@code registering}
     * (the merge's registering agency, which registered both records) becomes the survivor's, or when the merge does
     * not name one, the retired record's, if known.
     */
    void fold(LearnerRecord retired, String survivor, String registering) {
        Update update = new Update();
        String registeringAgency = registering != null ? registering : retired.registeringAgencyId();
        if (registeringAgency != null) {
            update.set("registeringAgencyId", registeringAgency);
        }
        update.addToSet("consentIds").each(retired.consentIds().toArray());
        update.addToSet("referralIds").each(retired.referralIds().toArray());
        Set<String> merged = new LinkedHashSet<>(retired.mergedIds());
        merged.add(retired.learnerId());
        update.addToSet("mergedIds").each(merged.toArray());
        mongo.upsert(byId(survivor), update, LearnerRecord.class);
        mongo.remove(byId(retired.learnerId()), LearnerRecord.class);
    }

    void forget(Collection<String> learnerIds) {
        mongo.remove(Query.query(Criteria.where("_id").in(learnerIds)), LearnerRecord.class);
    }

    private void add(String learnerId, String list, Collection<String> ids) {
        if (learnerId != null && !ids.isEmpty()) {
            Update update = new Update();
            update.addToSet(list).each(ids.toArray());
            mongo.upsert(byId(learnerId), update, LearnerRecord.class);
        }
    }

    private static Query byId(String id) {
        return Query.query(Criteria.where("_id").is(id));
    }

    @Override
    public void afterSingletonsInstantiated() {
        new Migrations(mongo, MIGRATIONS, clock).once(MIGRATION, () -> {
            int learners = build();
            if (learners > 0) {
                log.info("Listed the consents and referrals of {} learners by learner", learners);
            }
        });
    }

    /**
     * Lists the consents, referrals and merged ids kept before the learner records existed under their learners
     * (repeatable: the lists are sets). Reads each collection once, at start, before the consumers start.
     */
    int build() {
        Set<String> learners = new LinkedHashSet<>();
        each("learner_consents", "learnerId", (learner, id) -> {
            addConsent(learner, id);
            learners.add(learner);
        });
        each("referral_parties", "learnerId", (learner, id) -> {
            addReferral(learner, id);
            learners.add(learner);
        });
        each("learner_aliases", "survivingLearnerId", (learner, id) -> {
            add(learner, "mergedIds", List.of(id));
            learners.add(learner);
        });
        return learners.size();
    }

    private void each(String collection, String learnerField, java.util.function.BiConsumer<String, String> add) {
        Query all = new Query();
        all.fields().include(learnerField);
        mongo.stream(all, Document.class, collection).forEach(document -> {
            Object learner = document.get(learnerField);
            if (learner instanceof String learnerId) {
                add.accept(learnerId, document.get("_id").toString());
            }
        });
    }
}
